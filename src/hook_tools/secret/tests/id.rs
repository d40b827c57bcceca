//! Tests of the ids `secret-add` draws: Xids before Juju 3.6.19, opaque bytes from it, both
//! from the State.

use super::*;

#[test]
fn new_ids_are_xids_before_juju_3_6_19_and_opaque_from_it() {
    let add = |t: &mut HookTools| {
        t.secret_add(
            content(&[("a", "b")]),
            SecretMeta::default(),
            SecretOwner::Unit,
        )
        .unwrap()
    };
    let unique = |id: &str| id.strip_prefix("secret:").unwrap().to_owned();
    let decode = |id: &str| -> [u8; 12] {
        let alphabet = b"0123456789abcdefghijklmnopqrstuv";
        let bits = unique(id).bytes().fold(0u128, |acc, c| {
            (acc << 5) | alphabet.iter().position(|a| *a == c).unwrap() as u128
        });
        assert_eq!(
            bits & 0xf,
            0,
            "{id}: 12 bytes, the last character's padding clear"
        );
        let mut bytes = [0u8; 12];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (bits >> (4 + 8 * (11 - i))) as u8;
        }
        bytes
    };
    for version in ["3.6.18", "3.1.7"] {
        let mut t = on_juju(tools(State::default()), version);
        let (a, b) = (add(&mut t), add(&mut t));
        let (x, y) = (decode(&a), decode(&b));
        // An Xid: time, machine and process (9 bytes) shared, then a counter counting up.
        assert_eq!(x[..9], y[..9], "{version}: {a} {b}");
        let counter = |v: [u8; 12]| u32::from_be_bytes([0, v[9], v[10], v[11]]);
        assert_eq!(counter(y), (counter(x) + 1) & 0x00ff_ffff, "{version}");
        let seconds = u32::from_be_bytes([x[0], x[1], x[2], x[3]]);
        assert!(
            (1_704_067_200..1_767_225_600).contains(&seconds),
            "{seconds}"
        );
    }
    for version in ["3.6.19", "4.0.0"] {
        let mut t = on_juju(tools(State::default()), version);
        let (a, b) = (add(&mut t), add(&mut t));
        let (x, y) = (decode(&a), decode(&b));
        assert_ne!(
            x[..9],
            y[..9],
            "{version}: opaque ids share no prefix: {a} {b}"
        );
        // Still from the State: the same State draws the same ids.
        let mut again = on_juju(tools(State::default()), version);
        assert_eq!((add(&mut again), add(&mut again)), (a, b));
    }
    let mut old = on_juju(tools(State::default()), "3.6.18");
    let mut new = on_juju(tools(State::default()), "3.6.19");
    assert_ne!(add(&mut old), add(&mut new));
}
