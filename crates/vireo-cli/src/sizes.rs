//! Sizes as people type them: `512M`, `10G`, `1.5T`, `20GiB`, plain bytes. Binary units.

use vireo_core::Error;

pub fn parse_size(field: &'static str, text: &str) -> Result<u64, Error> {
    let t = text.trim();
    let bad = || Error::invalid(field, format!("'{t}' is not a size like 512M, 10G or 1.5T"));
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    if t.starts_with('-') {
        return Err(Error::invalid(field, format!("'{t}' is negative; give a size above zero")));
    }
    let n: f64 = num.parse().map_err(|_| bad())?;
    let shift = match unit.trim().to_ascii_uppercase().trim_end_matches("IB").trim_end_matches('B') {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return Err(bad()),
    };
    let bytes = n * (1u64 << shift) as f64;
    if !bytes.is_finite() || bytes >= u64::MAX as f64 {
        return Err(bad());
    }
    Ok(bytes as u64)
}

/// Mebibytes as `--memory` takes them (`512M`, `2G`; a plain number is MiB).
pub fn parse_mib(field: &'static str, text: &str) -> Result<u64, Error> {
    let t = text.trim();
    if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) {
        return t.parse().map_err(|_| Error::invalid(field, format!("'{t}' is too large")));
    }
    Ok(parse_size(field, t)? >> 20)
}

pub fn show_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut i = 0;
    while v >= 1024.0 && i < UNITS.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 { format!("{bytes} B") } else { format!("{v:.1} {}", UNITS[i]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_people_type() {
        assert_eq!(parse_size("s", "512M").unwrap(), 512 << 20);
        assert_eq!(parse_size("s", "1.5G").unwrap(), 3 << 29);
        assert_eq!(parse_size("s", "20GiB").unwrap(), 20 << 30);
        assert_eq!(parse_size("s", "4096").unwrap(), 4096);
        assert!(parse_size("s", "-1G").unwrap_err().to_string().contains("negative"));
        assert!(parse_size("s", "ten").is_err());
        assert_eq!(parse_mib("m", "256").unwrap(), 256);
        assert_eq!(parse_mib("m", "2G").unwrap(), 2048);
        assert_eq!(show_size(3 << 29), "1.5 GiB");
    }
}
