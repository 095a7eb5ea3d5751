//! A small W3C WebDriver client for the end-to-end test: enough to find elements, read
//! attributes, click and take screenshots through tauri-driver + WebKitWebDriver.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub struct Session {
    base: String,
    id: String,
    agent: ureq::Agent,
}

/// The W3C key under which an element reference is returned.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Session {
    /// Opens a session that launches the Tauri app at `application`.
    pub fn start(driver: &str, application: &str) -> Result<Session, String> {
        let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(60)).build();
        let caps = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "wry",
                "tauri:options": { "application": application }
            }}
        });
        let v = post(&agent, &format!("{driver}/session"), caps)?;
        let id = v["value"]["sessionId"].as_str().ok_or(format!("no session id in {v}"))?.to_owned();
        Ok(Session { base: format!("{driver}/session/{id}"), id, agent })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    fn find_once(&self, css: &str) -> Result<Option<String>, String> {
        let v = post(&self.agent, &format!("{}/elements", self.base), json!({"using": "css selector", "value": css}))?;
        Ok(v["value"].as_array().and_then(|a| a.first()).and_then(|e| e[ELEMENT_KEY].as_str()).map(str::to_owned))
    }

    /// Waits up to `secs` for an element matching `css`.
    pub fn wait_for(&self, css: &str, secs: u64) -> Result<String, String> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(el) = self.find_once(css)? {
                return Ok(el);
            }
            if Instant::now() > deadline {
                return Err(format!("no element '{css}' within {secs} s"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn attribute(&self, el: &str, name: &str) -> Result<Option<String>, String> {
        let v = get(&self.agent, &format!("{}/element/{el}/attribute/{name}", self.base))?;
        Ok(v["value"].as_str().map(str::to_owned))
    }

    /// A DOM property (e.g. `textContent`: unlike `text`, it does not depend on WebKit's
    /// idea of what is visible, which skips line-clamped boxes).
    pub fn property(&self, el: &str, name: &str) -> Result<Option<String>, String> {
        let v = get(&self.agent, &format!("{}/element/{el}/property/{name}", self.base))?;
        Ok(v["value"].as_str().map(str::to_owned))
    }

    pub fn text(&self, el: &str) -> Result<String, String> {
        let v = get(&self.agent, &format!("{}/element/{el}/text", self.base))?;
        Ok(v["value"].as_str().unwrap_or_default().to_owned())
    }

    pub fn click(&self, el: &str) -> Result<(), String> {
        post(&self.agent, &format!("{}/element/{el}/click", self.base), json!({}))?;
        Ok(())
    }

    /// Types `text` into an input (W3C "element send keys").
    pub fn type_text(&self, el: &str, text: &str) -> Result<(), String> {
        post(&self.agent, &format!("{}/element/{el}/value", self.base), json!({"text": text}))?;
        Ok(())
    }

    /// Empties an input.
    pub fn clear(&self, el: &str) -> Result<(), String> {
        post(&self.agent, &format!("{}/element/{el}/clear", self.base), json!({}))?;
        Ok(())
    }

    /// Runs `script` in the page (W3C "execute sync"); returns its result.
    pub fn execute(&self, script: &str, args: Value) -> Result<Value, String> {
        let v = post(&self.agent, &format!("{}/execute/sync", self.base), json!({"script": script, "args": args}))?;
        Ok(v["value"].clone())
    }

    /// Presses and releases keys on whatever has the focus (W3C actions), as a person at
    /// the keyboard does: each item is a WebDriver key value (a character, or a key such
    /// as `\u{E007}` Enter), pressed with Shift held when `shift` is set.
    pub fn press_keys(&self, keys: &[(&str, bool)]) -> Result<(), String> {
        const SHIFT: &str = "\u{E008}";
        let mut actions = Vec::new();
        for (key, shift) in keys {
            if *shift {
                actions.push(json!({"type": "keyDown", "value": SHIFT}));
            }
            actions.push(json!({"type": "keyDown", "value": key}));
            actions.push(json!({"type": "keyUp", "value": key}));
            if *shift {
                actions.push(json!({"type": "keyUp", "value": SHIFT}));
            }
        }
        post(&self.agent, &format!("{}/actions", self.base), json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}))?;
        let _ = self.agent.delete(&format!("{}/actions", self.base)).call();
        Ok(())
    }

    /// Loads `url` in the window (W3C "navigate to").
    pub fn navigate(&self, url: &str) -> Result<(), String> {
        post(&self.agent, &format!("{}/url", self.base), json!({"url": url}))?;
        Ok(())
    }

    /// A PNG of the window.
    pub fn screenshot(&self) -> Result<Vec<u8>, String> {
        let v = get(&self.agent, &format!("{}/screenshot", self.base))?;
        let b64 = v["value"].as_str().ok_or("no screenshot data")?;
        base64_decode(b64)
    }

    pub fn end(self) {
        let _ = self.agent.delete(&self.base).call();
    }
}

fn post(agent: &ureq::Agent, url: &str, body: Value) -> Result<Value, String> {
    reply(agent.post(url).send_json(body))
}

fn get(agent: &ureq::Agent, url: &str) -> Result<Value, String> {
    reply(agent.get(url).call())
}

fn reply(r: Result<ureq::Response, ureq::Error>) -> Result<Value, String> {
    match r {
        Ok(resp) => resp.into_json().map_err(|e| e.to_string()),
        Err(ureq::Error::Status(code, resp)) => Err(format!("WebDriver {code}: {}", resp.into_string().unwrap_or_default())),
        Err(e) => Err(e.to_string()),
    }
}

fn base64_decode(s: &str) -> Result<Vec<u8>, String> {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let v = ABC.iter().position(|&a| a == c).ok_or(format!("bad base64 byte {c}"))? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_round_trip() {
        assert_eq!(super::base64_decode("aGVsbG8gd29ybGQ=").unwrap(), b"hello world");
        assert_eq!(super::base64_decode("iVBORw0KGgo=").unwrap(), b"\x89PNG\r\n\x1a\n");
    }
}
