//! A TCP proxy that forwards one connection and cuts it after the server has sent a given
//! number of bytes: a server that dies in the middle of a message.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};

pub struct CutProxy {
    pub port: u16,
}

impl CutProxy {
    /// Forwards the first connection to `target`; after `cut_after` bytes from the
    /// server, both sides are shut.
    pub fn start(target: std::net::SocketAddr, cut_after: usize) -> CutProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the cut proxy");
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let Ok((client, _)) = listener.accept() else { return };
            let Ok(server) = TcpStream::connect(target) else { return };
            let (mut c_in, mut s_out) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut c_in, &mut s_out);
            });
            let (mut s_in, mut c_out) = (server, client);
            let mut sent = 0;
            let mut buf = [0u8; 4096];
            while sent < cut_after {
                let n = match s_in.read(&mut buf[..(cut_after - sent).min(4096)]) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                if c_out.write_all(&buf[..n]).is_err() {
                    break;
                }
                sent += n;
            }
            let _ = c_out.shutdown(Shutdown::Both);
            let _ = s_in.shutdown(Shutdown::Both);
        });
        CutProxy { port }
    }
}
