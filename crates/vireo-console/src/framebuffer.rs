//! The guest's screen as Vireo keeps it: RGBA, row by row, alpha always opaque. The UI
//! gets copies of the regions that changed; a screenshot is the whole of it.

/// A rectangle of the framebuffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub x: u16,
    pub y: u16,
    pub w: u16,
    pub h: u16,
}

impl Region {
    fn right(&self) -> u32 {
        self.x as u32 + self.w as u32
    }

    fn bottom(&self) -> u32 {
        self.y as u32 + self.h as u32
    }

    pub fn area(&self) -> u64 {
        self.w as u64 * self.h as u64
    }

    /// The smallest region holding both.
    pub fn union(&self, o: &Region) -> Region {
        let (x, y) = (self.x.min(o.x), self.y.min(o.y));
        let (r, b) = (self.right().max(o.right()), self.bottom().max(o.bottom()));
        Region { x, y, w: (r - x as u32) as u16, h: (b - y as u32) as u16 }
    }
}

pub struct Framebuffer {
    width: u16,
    height: u16,
    rgba: Vec<u8>,
}

impl Framebuffer {
    /// A black screen of this size.
    pub fn new(width: u16, height: u16) -> Framebuffer {
        let mut fb = Framebuffer { width: 0, height: 0, rgba: Vec::new() };
        fb.resize(width, height);
        fb
    }

    pub fn size(&self) -> (u16, u16) {
        (self.width, self.height)
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.width = width;
        self.height = height;
        self.rgba = [0, 0, 0, 255].repeat(width as usize * height as usize);
    }

    /// The region clipped to the screen; `None` when nothing of it is on screen.
    pub fn clip(&self, r: Region) -> Option<Region> {
        let right = r.right().min(self.width as u32);
        let bottom = r.bottom().min(self.height as u32);
        (r.x < self.width && r.y < self.height && right > r.x as u32 && bottom > r.y as u32).then(|| Region {
            x: r.x,
            y: r.y,
            w: (right - r.x as u32) as u16,
            h: (bottom - r.y as u32) as u16,
        })
    }

    /// Writes pixels in the RGBx order the client asked the server for (the fourth byte
    /// is padding, made opaque here). Returns the region written, clipped to the screen.
    pub fn put(&mut self, r: Region, pixels: &[u8]) -> Option<Region> {
        let clipped = self.clip(r)?;
        let src_stride = r.w as usize * 4;
        if pixels.len() < src_stride * r.h as usize {
            return None;
        }
        for row in 0..clipped.h as usize {
            let src = &pixels[row * src_stride..row * src_stride + clipped.w as usize * 4];
            let start = self.offset(clipped.x, clipped.y + row as u16);
            let dst = &mut self.rgba[start..start + src.len()];
            dst.copy_from_slice(src);
            for px in dst.chunks_exact_mut(4) {
                px[3] = 255;
            }
        }
        Some(clipped)
    }

    /// CopyRect: `dst` takes what `src` shows now (rows in the order that never reads a
    /// row already overwritten).
    pub fn copy(&mut self, dst: Region, src_x: u16, src_y: u16) -> Option<Region> {
        let src = self.clip(Region { x: src_x, y: src_y, w: dst.w, h: dst.h })?;
        let dst = self.clip(Region { w: src.w, h: src.h, ..dst })?;
        let row_bytes = dst.w as usize * 4;
        let rows: Box<dyn Iterator<Item = usize>> =
            if dst.y > src.y { Box::new((0..dst.h as usize).rev()) } else { Box::new(0..dst.h as usize) };
        for row in rows {
            let from = self.offset(src.x, src.y + row as u16);
            let to = self.offset(dst.x, dst.y + row as u16);
            self.rgba.copy_within(from..from + row_bytes, to);
        }
        Some(dst)
    }

    /// The pixels of a region (clipped beforehand), row by row.
    pub fn region(&self, r: Region) -> Vec<u8> {
        let mut out = Vec::with_capacity(r.area() as usize * 4);
        for row in 0..r.h {
            let start = self.offset(r.x, r.y + row);
            out.extend_from_slice(&self.rgba[start..start + r.w as usize * 4]);
        }
        out
    }

    pub fn rgba(&self) -> &[u8] {
        &self.rgba
    }

    fn offset(&self, x: u16, y: u16) -> usize {
        (y as usize * self.width as usize + x as usize) * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(x: u16, y: u16, w: u16, h: u16) -> Region {
        Region { x, y, w, h }
    }

    #[test]
    fn pixels_are_written_opaque_and_clipped_to_the_screen() {
        let mut fb = Framebuffer::new(4, 2);
        let red = [255, 0, 0, 0].repeat(3);
        assert_eq!(fb.put(r(2, 1, 3, 1), &red), Some(r(2, 1, 2, 1)));
        assert_eq!(&fb.region(r(2, 1, 2, 1)), &[255, 0, 0, 255, 255, 0, 0, 255]);
        assert_eq!(&fb.region(r(0, 0, 1, 1)), &[0, 0, 0, 255]);
        assert_eq!(fb.put(r(9, 9, 1, 1), &[1, 2, 3, 4]), None, "off screen");
        assert_eq!(fb.put(r(0, 0, 2, 2), &[1, 2, 3, 4]), None, "too few pixels");
    }

    #[test]
    fn copy_rect_handles_overlap_both_ways() {
        let mut fb = Framebuffer::new(1, 3);
        for (y, v) in [(0u16, 10u8), (1, 20), (2, 30)] {
            fb.put(r(0, y, 1, 1), &[v, 0, 0, 0]);
        }
        fb.copy(r(0, 1, 1, 2), 0, 0);
        let col: Vec<u8> = fb.rgba().chunks(4).map(|p| p[0]).collect();
        assert_eq!(col, [10, 10, 20]);
        fb.copy(r(0, 0, 1, 2), 0, 1);
        let col: Vec<u8> = fb.rgba().chunks(4).map(|p| p[0]).collect();
        assert_eq!(col, [10, 20, 20]);
    }

    #[test]
    fn union_covers_both() {
        assert_eq!(r(1, 1, 2, 2).union(&r(4, 0, 1, 1)), r(1, 0, 4, 3));
    }
}
