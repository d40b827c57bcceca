//! Reading the pickles ops stores in its unit-state database (`pickle.dumps(snapshot)`,
//! protocol 4, or 5 on Python 3.14), as [`StoredValue`]s.
//!
//! Only the data opcodes are read: ops stores only what `marshal` can write (None, bools,
//! ints, floats, str, bytes, lists, tuples, sets, frozensets and dicts), so anything that
//! would import or call Python code (`GLOBAL`, `REDUCE`, ...) is refused.

use std::collections::BTreeMap;

use crate::state::StoredValue;

/// A value under construction: containers hold the indices of their items in the arena, so
/// that a container remembered in the memo and filled afterwards is seen filled wherever it
/// is fetched again.
enum Node {
    Value(StoredValue),
    List(Vec<usize>),
    Tuple(Vec<usize>),
    Set(Vec<usize>),
    FrozenSet(Vec<usize>),
    Dict(Vec<(usize, usize)>),
}

enum Item {
    Mark,
    Node(usize),
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| format!("the pickle ends early (at byte {})", self.at))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn byte(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn uint(&mut self, n: usize) -> Result<usize, String> {
        let mut value: u64 = 0;
        for (i, b) in self.take(n)?.iter().enumerate() {
            value |= u64::from(*b) << (8 * i);
        }
        usize::try_from(value).map_err(|_| "a length does not fit in memory".to_owned())
    }

    fn text(&mut self, n: usize) -> Result<String, String> {
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| "a str is not UTF-8".to_owned())
    }
}

/// Read one pickled value.
///
/// # Errors
/// What is wrong with the pickle: an opcode outside the data subset, or a malformed stream.
pub(crate) fn loads(bytes: &[u8]) -> Result<StoredValue, String> {
    let mut r = Reader { bytes, at: 0 };
    let mut arena: Vec<Node> = Vec::new();
    let mut stack: Vec<Item> = Vec::new();
    let mut memo: BTreeMap<usize, usize> = BTreeMap::new();
    let push = |arena: &mut Vec<Node>, stack: &mut Vec<Item>, node: Node| {
        arena.push(node);
        stack.push(Item::Node(arena.len() - 1));
    };
    fn top(stack: &[Item]) -> Result<usize, String> {
        match stack.last() {
            Some(Item::Node(i)) => Ok(*i),
            _ => Err("an opcode needs a value on the stack".into()),
        }
    }
    fn pop(stack: &mut Vec<Item>) -> Result<usize, String> {
        match stack.pop() {
            Some(Item::Node(i)) => Ok(i),
            _ => Err("an opcode needs a value on the stack".into()),
        }
    }
    fn pop_mark(stack: &mut Vec<Item>) -> Result<Vec<usize>, String> {
        let mut items = Vec::new();
        loop {
            match stack.pop() {
                Some(Item::Node(i)) => items.push(i),
                Some(Item::Mark) => break,
                None => return Err("no MARK on the stack".into()),
            }
        }
        items.reverse();
        Ok(items)
    }
    loop {
        let op = r.byte()?;
        match op {
            0x80 => {
                r.byte()?; // PROTO
            }
            0x95 => {
                r.take(8)?; // FRAME
            }
            b'.' => {
                let root = pop(&mut stack)?;
                return build(&arena, root, 0);
            }
            b'(' => stack.push(Item::Mark),
            b'N' => push(&mut arena, &mut stack, Node::Value(StoredValue::None)),
            0x88 => push(&mut arena, &mut stack, Node::Value(StoredValue::Bool(true))),
            0x89 => push(
                &mut arena,
                &mut stack,
                Node::Value(StoredValue::Bool(false)),
            ),
            b'J' => {
                let b = r.take(4)?;
                let v = i32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                push(
                    &mut arena,
                    &mut stack,
                    Node::Value(StoredValue::Int(v.into())),
                );
            }
            b'K' => {
                let v = r.byte()?;
                push(
                    &mut arena,
                    &mut stack,
                    Node::Value(StoredValue::Int(v.into())),
                );
            }
            b'M' => {
                let v = r.uint(2)? as i64;
                push(&mut arena, &mut stack, Node::Value(StoredValue::Int(v)));
            }
            0x8a | 0x8b => {
                let n = if op == 0x8a {
                    r.byte()? as usize
                } else {
                    r.uint(4)?
                };
                let value = long(r.take(n)?);
                push(&mut arena, &mut stack, Node::Value(value));
            }
            b'G' => {
                let b = r.take(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                push(
                    &mut arena,
                    &mut stack,
                    Node::Value(StoredValue::Float(f64::from_be_bytes(a))),
                );
            }
            0x8c | b'X' | 0x8d => {
                let n = match op {
                    0x8c => r.byte()? as usize,
                    b'X' => r.uint(4)?,
                    _ => r.uint(8)?,
                };
                let text = r.text(n)?;
                push(&mut arena, &mut stack, Node::Value(StoredValue::Str(text)));
            }
            b'C' | b'B' | 0x8e | 0x96 => {
                let n = match op {
                    b'C' => r.byte()? as usize,
                    b'B' => r.uint(4)?,
                    _ => r.uint(8)?,
                };
                let bytes = r.take(n)?.to_vec();
                push(
                    &mut arena,
                    &mut stack,
                    Node::Value(StoredValue::Bytes(bytes)),
                );
            }
            b']' => push(&mut arena, &mut stack, Node::List(Vec::new())),
            b')' => push(&mut arena, &mut stack, Node::Tuple(Vec::new())),
            b'}' => push(&mut arena, &mut stack, Node::Dict(Vec::new())),
            0x8f => push(&mut arena, &mut stack, Node::Set(Vec::new())),
            b'l' => {
                let items = pop_mark(&mut stack)?;
                push(&mut arena, &mut stack, Node::List(items));
            }
            b't' => {
                let items = pop_mark(&mut stack)?;
                push(&mut arena, &mut stack, Node::Tuple(items));
            }
            0x91 => {
                let items = pop_mark(&mut stack)?;
                push(&mut arena, &mut stack, Node::FrozenSet(items));
            }
            0x85..=0x87 => {
                let n = usize::from(op - 0x84);
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(pop(&mut stack)?);
                }
                items.reverse();
                push(&mut arena, &mut stack, Node::Tuple(items));
            }
            b'd' => {
                let items = pop_mark(&mut stack)?;
                let pairs = pairs(&items)?;
                push(&mut arena, &mut stack, Node::Dict(pairs));
            }
            b'a' => {
                let item = pop(&mut stack)?;
                match &mut arena[top(&stack)?] {
                    Node::List(items) => items.push(item),
                    _ => return Err("APPEND to something that is not a list".into()),
                }
            }
            b'e' => {
                let items = pop_mark(&mut stack)?;
                match &mut arena[top(&stack)?] {
                    Node::List(list) => list.extend(items),
                    _ => return Err("APPENDS to something that is not a list".into()),
                }
            }
            b's' => {
                let value = pop(&mut stack)?;
                let key = pop(&mut stack)?;
                match &mut arena[top(&stack)?] {
                    Node::Dict(dict) => dict.push((key, value)),
                    _ => return Err("SETITEM on something that is not a dict".into()),
                }
            }
            b'u' => {
                let items = pop_mark(&mut stack)?;
                let new = pairs(&items)?;
                match &mut arena[top(&stack)?] {
                    Node::Dict(dict) => dict.extend(new),
                    _ => return Err("SETITEMS on something that is not a dict".into()),
                }
            }
            0x90 => {
                let items = pop_mark(&mut stack)?;
                match &mut arena[top(&stack)?] {
                    Node::Set(set) => set.extend(items),
                    _ => return Err("ADDITEMS to something that is not a set".into()),
                }
            }
            0x94 => {
                let i = top(&stack)?;
                memo.insert(memo.len(), i);
            }
            b'q' | b'r' => {
                let key = if op == b'q' {
                    r.byte()? as usize
                } else {
                    r.uint(4)?
                };
                let i = top(&stack)?;
                memo.insert(key, i);
            }
            b'h' | b'j' => {
                let key = if op == b'h' {
                    r.byte()? as usize
                } else {
                    r.uint(4)?
                };
                let i = *memo
                    .get(&key)
                    .ok_or_else(|| format!("memo entry {key} was never stored"))?;
                stack.push(Item::Node(i));
            }
            b'0' => {
                stack.pop().ok_or("POP on an empty stack")?;
            }
            b'1' => {
                pop_mark(&mut stack)?;
            }
            b'2' => {
                let i = top(&stack)?;
                stack.push(Item::Node(i));
            }
            other => {
                return Err(format!(
                "opcode 0x{other:02x} at byte {} is not one of the data opcodes ops' snapshots use",
                r.at - 1
            ))
            }
        }
    }
}

fn pairs(items: &[usize]) -> Result<Vec<(usize, usize)>, String> {
    if items.len() % 2 != 0 {
        return Err("a dict with a key but no value".into());
    }
    Ok(items.chunks(2).map(|kv| (kv[0], kv[1])).collect())
}

/// A little-endian two's complement integer of any length (`LONG1` / `LONG4`).
fn long(bytes: &[u8]) -> StoredValue {
    if bytes.is_empty() {
        return StoredValue::Int(0);
    }
    let negative = bytes[bytes.len() - 1] & 0x80 != 0;
    if bytes.len() <= 8 {
        let fill = if negative { 0xff } else { 0 };
        let mut a = [fill; 8];
        a[..bytes.len()].copy_from_slice(bytes);
        return StoredValue::Int(i64::from_le_bytes(a));
    }
    // Magnitude, little-endian, then decimal digits by repeated division.
    let mut magnitude: Vec<u8> = bytes.to_vec();
    if negative {
        // Two's complement: invert and add one.
        let mut carry = true;
        for b in &mut magnitude {
            *b = !*b;
            if carry {
                let (sum, overflow) = b.overflowing_add(1);
                *b = sum;
                carry = overflow;
            }
        }
    }
    let mut digits = Vec::new();
    while magnitude.iter().any(|b| *b != 0) {
        let mut remainder: u32 = 0;
        for b in magnitude.iter_mut().rev() {
            let current = (remainder << 8) | u32::from(*b);
            *b = (current / 10) as u8;
            remainder = current % 10;
        }
        digits.push(b'0' + remainder as u8);
    }
    if negative {
        digits.push(b'-');
    }
    digits.reverse();
    let text = String::from_utf8(digits).unwrap_or_default();
    match text.parse::<i64>() {
        Ok(small) => StoredValue::Int(small),
        Err(_) => StoredValue::BigInt(text),
    }
}

/// The finished value of arena node `i`.
fn build(arena: &[Node], i: usize, depth: usize) -> Result<StoredValue, String> {
    if depth > 200 {
        return Err("the value nests too deep (or refers to itself)".into());
    }
    let all = |items: &[usize]| -> Result<Vec<StoredValue>, String> {
        items.iter().map(|j| build(arena, *j, depth + 1)).collect()
    };
    Ok(match &arena[i] {
        Node::Value(v) => v.clone(),
        Node::List(items) => StoredValue::List(all(items)?),
        Node::Tuple(items) => StoredValue::Tuple(all(items)?),
        Node::Set(items) => StoredValue::Set(all(items)?),
        Node::FrozenSet(items) => StoredValue::FrozenSet(all(items)?),
        Node::Dict(pairs) => {
            let mut built = Vec::with_capacity(pairs.len());
            for (k, v) in pairs {
                built.push((build(arena, *k, depth + 1)?, build(arena, *v, depth + 1)?));
            }
            if built.iter().all(|(k, _)| matches!(k, StoredValue::Str(_))) {
                StoredValue::Dict(
                    built
                        .into_iter()
                        .map(|(k, v)| match k {
                            StoredValue::Str(k) => (k, v),
                            _ => unreachable!("every key is a str"),
                        })
                        .collect(),
                )
            } else {
                StoredValue::KeyedDict(built)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::stored_dict;

    /// `pickle.dumps({'event_count': 5}, protocol=4)`.
    const SMALL: &[u8] =
        b"\x80\x04\x95\x14\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x0bevent_count\x94K\x05s.";

    #[test]
    fn a_small_dict_reads() {
        assert_eq!(
            loads(SMALL).unwrap(),
            StoredValue::Dict(stored_dict([("event_count", 5)]))
        );
    }

    /// `pickle.dumps({'l': [1, -2, 70000, -70000], 'big': 2**70, 'neg': -2**70, 'f': 0.25,
    /// 's': {'a'}, 'fs': frozenset({1}), 't': (1, 'x'), 'b': b'\x00\xff', 'n': None,
    /// 'ok': True, 'k': {1: 'one'}, 'shared': [x, x]}` with `x = [7]`, protocol 4.
    const MIXED: &str = "800495a6000000000000007d94288c016c945d94284b014afeffffff4a701101004a90eefeff658c03626967948a090000000000000000408c036e6567948a090000000000000000c08c016694473fd00000000000008c0173948f94288c016194908c02667394284b0191948c0174944b018c01789486948c016294430200ff948c016e944e8c026f6b94888c016b947d944b018c036f6e6594738c06736861726564945d94285d944b0761681765752e";

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn every_storable_type_reads() {
        let got = loads(&hex(MIXED)).unwrap();
        let StoredValue::Dict(d) = got else {
            panic!("{got:?}")
        };
        assert_eq!(
            d["l"],
            StoredValue::List(vec![1.into(), (-2).into(), 70000.into(), (-70000).into()])
        );
        assert_eq!(
            d["big"],
            StoredValue::BigInt("1180591620717411303424".into())
        );
        assert_eq!(
            d["neg"],
            StoredValue::BigInt("-1180591620717411303424".into())
        );
        assert_eq!(d["f"], StoredValue::Float(0.25));
        assert_eq!(d["s"], StoredValue::Set(vec!["a".into()]));
        assert_eq!(d["fs"], StoredValue::FrozenSet(vec![1.into()]));
        assert_eq!(d["t"], StoredValue::Tuple(vec![1.into(), "x".into()]));
        assert_eq!(d["b"], StoredValue::Bytes(vec![0, 0xff]));
        assert_eq!(d["n"], StoredValue::None);
        assert_eq!(d["ok"], StoredValue::Bool(true));
        assert_eq!(
            d["k"],
            StoredValue::KeyedDict(vec![(1.into(), "one".into())])
        );
        let seven = StoredValue::List(vec![7.into()]);
        assert_eq!(d["shared"], StoredValue::List(vec![seven.clone(), seven]));
    }

    #[test]
    fn code_is_refused() {
        // `pickle.dumps(print)`: a GLOBAL-style import.
        let err = loads(b"\x80\x04\x95\x16\x00\x00\x00\x00\x00\x00\x00\x8c\x08builtins\x94\x8c\x05print\x94\x93\x94.")
            .unwrap_err();
        assert!(err.contains("opcode 0x93"), "{err}");
    }
}
