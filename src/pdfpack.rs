//! Smaller PDFs with every accessibility tag kept: the PDF writer puts each
//! of its thousands of small objects (a structure element per table cell)
//! uncompressed into the file. Here they are packed into compressed object
//! streams with a cross-reference stream (PDF 1.5, allowed by PDF/A-2):
//! kaiping-2024 goes from 26 to about 10 KB per page. Deterministic: the
//! same input gives the same bytes.

use std::io::Write;

/// Objects per object stream.
const PER_STREAM: usize = 1000;

/// `pdf` with its non-stream objects in object streams, or `None` when the
/// file is not laid out as expected (then the original is kept).
pub fn pack(pdf: &[u8]) -> Option<Vec<u8>> {
    let start_xref = find_last(pdf, b"startxref")?;
    let xref_at: usize = number_after(&pdf[start_xref + 9..])?;
    let (offsets, trailer_at) = xref_table(pdf, xref_at)?;
    let trailer = &pdf[trailer_at..start_xref];
    let root = reference(trailer, b"/Root")?;
    let info = reference(trailer, b"/Info");
    let id = trailer.windows(3).position(|w| w == b"/ID").and_then(|i| {
        let end = trailer[i..].iter().position(|b| *b == b']')?;
        Some(&trailer[i..=i + end])
    });
    // Each object's bytes: from its offset to the next object (or the xref).
    let mut order: Vec<(usize, u32)> = offsets
        .iter()
        .enumerate()
        .filter_map(|(n, o)| Some((o.as_ref().copied()?, u32::try_from(n).ok()?)))
        .collect();
    order.sort();
    let first_object = order.first()?.0;
    let mut out: Vec<u8> = pdf[..first_object].to_vec();
    let size = offsets.len();
    let mut entries: Vec<(u8, u64, u16)> = vec![(0, 0, 65535); size];
    let mut packed: Vec<(u32, Vec<u8>)> = vec![];
    for (i, &(offset, n)) in order.iter().enumerate() {
        let end = order.get(i + 1).map_or(xref_at, |next| next.0);
        let whole = &pdf[offset..end];
        let header = format!("{n} 0 obj");
        if !whole.starts_with(header.as_bytes()) {
            return None;
        }
        let close = find_last(whole, b"endobj")?;
        let body = trim(&whole[header.len()..close]);
        if is_stream(body) {
            entries[n as usize] = (1, out.len() as u64, 0);
            out.extend_from_slice(&whole[..close + 6]);
            out.push(b'\n');
        } else {
            packed.push((n, body.to_vec()));
        }
    }
    let mut next = u32::try_from(size).ok()?;
    for chunk in packed.chunks(PER_STREAM) {
        let stream = next;
        next += 1;
        let mut head = String::new();
        let mut data: Vec<u8> = vec![];
        for (i, (n, body)) in chunk.iter().enumerate() {
            head.push_str(&format!("{n} {} ", data.len()));
            data.extend_from_slice(body);
            data.push(b'\n');
            entries[*n as usize] = (2, u64::from(stream), u16::try_from(i).ok()?);
        }
        let mut content = head.into_bytes();
        let first = content.len();
        content.extend_from_slice(&data);
        let compressed = deflate(&content)?;
        entries.push((1, out.len() as u64, 0));
        out.extend_from_slice(
            format!(
                "{stream} 0 obj\n<</Type/ObjStm/N {}/First {first}/Filter/FlateDecode/Length {}>>\nstream\n",
                chunk.len(),
                compressed.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(&compressed);
        out.extend_from_slice(b"\nendstream\nendobj\n");
    }
    // The cross-reference stream, itself its last entry.
    let xref = next;
    entries.push((1, out.len() as u64, 0));
    let mut rows = Vec::with_capacity(entries.len() * 7);
    for (kind, a, b) in &entries {
        rows.push(*kind);
        rows.extend_from_slice(&u32::try_from(*a).ok()?.to_be_bytes());
        rows.extend_from_slice(&b.to_be_bytes());
    }
    let compressed = deflate(&rows)?;
    let xref_offset = out.len();
    let mut dict = format!(
        "{xref} 0 obj\n<</Type/XRef/Size {}/W[1 4 2]/Root {root} 0 R",
        entries.len()
    );
    if let Some(info) = info {
        dict.push_str(&format!("/Info {info} 0 R"));
    }
    out.extend_from_slice(dict.as_bytes());
    if let Some(id) = id {
        out.extend_from_slice(id);
    }
    out.extend_from_slice(
        format!(
            "/Filter/FlateDecode/Length {}>>\nstream\n",
            compressed.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&compressed);
    out.extend_from_slice(
        format!("\nendstream\nendobj\nstartxref\n{xref_offset}\n%%EOF\n").as_bytes(),
    );
    Some(out)
}

fn deflate(data: &[u8]) -> Option<Vec<u8>> {
    let mut e = flate2::write::ZlibEncoder::new(vec![], flate2::Compression::new(3));
    e.write_all(data).ok()?;
    e.finish().ok()
}

/// The classic cross-reference table at `at`: each object's offset (None
/// when free), and where the trailer starts.
fn xref_table(pdf: &[u8], at: usize) -> Option<(Vec<Option<usize>>, usize)> {
    let text = std::str::from_utf8(pdf.get(at..)?).ok()?;
    let mut lines = text.split(['\n', '\r']).filter(|l| !l.trim().is_empty());
    if lines.next()?.trim() != "xref" {
        return None;
    }
    let mut offsets: Vec<Option<usize>> = vec![];
    let mut line = lines.next()?;
    loop {
        let mut parts = line.split_whitespace();
        let (start, count): (usize, usize) =
            (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
        if parts.next().is_some() || start != offsets.len() {
            return None;
        }
        for _ in 0..count {
            let entry: Vec<&str> = lines.next()?.split_whitespace().collect();
            match entry.as_slice() {
                [o, _, "n"] => offsets.push(Some(o.parse().ok()?)),
                [_, _, "f"] => offsets.push(None),
                _ => return None,
            }
        }
        line = lines.next()?;
        if line.trim_start().starts_with("trailer") {
            let trailer = at + text.find("trailer")?;
            return Some((offsets, trailer));
        }
    }
}

/// Whether an object body is a stream: a dictionary followed by `stream`.
fn is_stream(body: &[u8]) -> bool {
    body.starts_with(b"<<") && body.windows(6).any(|w| w == b"stream")
}

/// `n` in `/Key n 0 R`.
fn reference(dict: &[u8], key: &[u8]) -> Option<u32> {
    let i = dict.windows(key.len()).position(|w| w == key)?;
    number_after(&dict[i + key.len()..])
}

fn number_after<T: std::str::FromStr>(bytes: &[u8]) -> Option<T> {
    let text: String = bytes
        .iter()
        .map(|b| *b as char)
        .skip_while(|c| c.is_whitespace())
        .take_while(char::is_ascii_digit)
        .collect();
    text.parse().ok()
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &b[start..end]
}

/// The objects a packed PDF holds in its object streams, by number, read
/// back through its cross-reference stream (for tests and inspection;
/// panics on a file [`pack`] did not write).
pub fn objects(pdf: &[u8]) -> std::collections::BTreeMap<u32, Vec<u8>> {
    use std::io::Read;
    let at: usize = number_after(&pdf[find_last(pdf, b"startxref").unwrap() + 9..]).unwrap();
    let stream = |at: usize| -> (Vec<u8>, Vec<u8>) {
        let obj = &pdf[at..];
        let s = obj.windows(7).position(|w| w == b"stream\n").unwrap();
        let dict = obj[..s].to_vec();
        let len: usize = reference(&dict, b"/Length").unwrap() as usize;
        let mut data = vec![];
        flate2::read::ZlibDecoder::new(&obj[s + 7..s + 7 + len])
            .read_to_end(&mut data)
            .unwrap();
        (dict, data)
    };
    let (_, rows) = stream(at);
    let mut out = std::collections::BTreeMap::new();
    let mut containers: std::collections::BTreeMap<u32, Vec<(u32, Vec<u8>)>> = Default::default();
    for (n, row) in rows.chunks(7).enumerate() {
        let field = u32::from_be_bytes([row[1], row[2], row[3], row[4]]);
        if row[0] == 2 && !containers.contains_key(&field) {
            let offset = rows
                .chunks(7)
                .nth(field as usize)
                .map(|r| u32::from_be_bytes([r[1], r[2], r[3], r[4]]))
                .unwrap();
            let (dict, data) = stream(offset as usize);
            let first = reference(&dict, b"/First").unwrap() as usize;
            let head = std::str::from_utf8(&data[..first]).unwrap();
            let nums: Vec<usize> = head
                .split_whitespace()
                .map(|x| x.parse().unwrap())
                .collect();
            let list = nums
                .chunks(2)
                .enumerate()
                .map(|(i, p)| {
                    let end = nums.get(2 * i + 3).map_or(data.len() - first, |e| *e);
                    (p[0] as u32, trim(&data[first + p[1]..first + end]).to_vec())
                })
                .collect();
            containers.insert(field, list);
        }
        if row[0] == 2 {
            let (num, body) =
                containers[&field][u16::from_be_bytes([row[5], row[6]]) as usize].clone();
            assert_eq!(num as usize, n);
            out.insert(num, body);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_objects_read_back_unchanged() {
        let pdf = b"%PDF-1.7\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n2 0 obj\n<</Type/Pages/Count 0/Kids[]>>\nendobj\n3 0 obj\n<</Length 5>>\nstream\nhello\nendstream\nendobj\nxref\n0 4\n0000000000 65535 f\r\n0000000009 00000 n\r\n0000000054 00000 n\r\n0000000100 00000 n\r\ntrailer\n<</Size 4/Root 1 0 R/ID[(a)(b)]>>\nstartxref\n152\n%%EOF\n";
        let packed = pack(pdf).expect("packs");
        let objects = objects(&packed);
        assert_eq!(objects[&1], b"<</Type/Catalog/Pages 2 0 R>>");
        assert_eq!(objects[&2], b"<</Type/Pages/Count 0/Kids[]>>");
        // The stream object stays as it was, outside any object stream.
        assert!(
            packed
                .windows(34)
                .any(|w| w == b"3 0 obj\n<</Length 5>>\nstream\nhello")
        );
        assert!(packed.ends_with(b"%%EOF\n"));
    }
}
