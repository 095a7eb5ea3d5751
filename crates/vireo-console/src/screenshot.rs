//! The framebuffer as a PNG file's bytes.

use crate::framebuffer::Framebuffer;

pub fn png(width: u16, height: u16, rgba: &[u8]) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width as u32, height as u32);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header()?;
    writer.write_image_data(rgba)?;
    writer.finish()?;
    Ok(out)
}

/// A copy of what a screenshot needs, taken under the framebuffer's lock and encoded
/// after it is released.
pub fn snapshot(fb: &Framebuffer) -> (u16, u16, Vec<u8>) {
    let (w, h) = fb.size();
    (w, h, fb.rgba().to_vec())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_png_of_the_right_size() {
        let bytes = super::png(2, 1, &[255, 0, 0, 255, 0, 255, 0, 255]).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let reader = decoder.read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (2, 1));
    }
}
