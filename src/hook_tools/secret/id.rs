//! The id `secret-add` gives a new secret, drawn as the Juju version's controller draws it
//! (an Xid before 3.6.19, 12 opaque bytes from it) but from the State, so that the same test
//! gives the same ids. Its own module because it is an encoding, not a rule on secrets.

use crate::options::JujuVersion;
use crate::state::State;

/// From Juju 3.6.19 the controller draws a new secret's id as 12 random bytes, no longer as
/// an Xid (a mitigation for GHSA-5cj2-rqqf-hx9p: Xids are predictable).
const OPAQUE_SECRET_IDS_SINCE: JujuVersion = JujuVersion(3, 6, 19);

/// The id `secret-add` gets: `secret:` and 12 bytes in Juju's base32 alphabet (20
/// characters, the last `0` or `g`), drawn as the Juju version's controller draws them but
/// from the State, so that the same test gives the same ids.
///
/// Juju's unit agent asks the controller for the id (`HookContext.CreateSecret` →
/// `CreateSecretURIs`, `internal/worker/uniter/runner/context/context.go`), which makes it
/// with `secrets.NewURI` (`core/secrets/secret.go`). Before 3.6.19 that is `xid.New()`: 4
/// bytes of Unix time, 3 of machine id, 2 of process id and a 3-byte counter, so the ids one
/// controller draws share their first 9 bytes and count up; here the first 9 bytes derive
/// from the model uuid and the counter from the number of secrets in the State. From 3.6.19
/// `NewURI` reads 12 bytes from `crypto/rand` and encodes them the same way (the 3.6 branch;
/// main has it since merging 3.6); here they derive from the model uuid and that number.
/// Either way the number counts up past any id the State already has.
pub(crate) fn new_secret_id(state: &State, juju: JujuVersion) -> String {
    let uuid = &state.model.uuid;
    (state.secrets.len()..)
        .map(|n| {
            let bytes = if juju >= OPAQUE_SECRET_IDS_SINCE {
                let seed = format!("secret-add\0{uuid}\0{n}");
                let (a, b) = (
                    fnv64(0xcbf2_9ce4_8422_2325, &seed),
                    fnv64(0x6c62_272e_07bb_0142, &seed),
                );
                let mut bytes = [0u8; 12];
                bytes[..8].copy_from_slice(&a.to_be_bytes());
                bytes[8..].copy_from_slice(&b.to_be_bytes()[..4]);
                bytes
            } else {
                let seed = format!("xid\0{uuid}");
                let prefix = fnv64(0xcbf2_9ce4_8422_2325, &seed);
                let counter_base = fnv64(0x6c62_272e_07bb_0142, &seed);
                // A time in 2024-2025, so the id reads as an Xid of a plausible date.
                let seconds = 1_704_067_200 + (prefix >> 40) % 63_072_000;
                let counter = (counter_base.wrapping_add(n as u64) & 0x00ff_ffff) as u32;
                let mut bytes = [0u8; 12];
                bytes[..4].copy_from_slice(&(seconds as u32).to_be_bytes());
                bytes[4..9].copy_from_slice(&prefix.to_be_bytes()[3..8]);
                bytes[9..].copy_from_slice(&counter.to_be_bytes()[1..]);
                bytes
            };
            format!("secret:{}", base32_id(bytes))
        })
        .find(|id| state.secret_index(id).is_none())
        .expect("an unused id")
}

/// FNV-1a over `seed` from `offset`.
fn fnv64(offset: u64, seed: &str) -> u64 {
    seed.bytes().fold(offset, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// 12 bytes in Juju's secret id encoding: base32 with the alphabet
/// `0123456789abcdefghijklmnopqrstuv`, no padding (`xid.ID.String`; `xidEncoding` in
/// `core/secrets/secret.go`, 3.6.19).
fn base32_id(bytes: [u8; 12]) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
    let bits = bytes
        .iter()
        .fold(0u128, |acc, b| (acc << 8) | u128::from(*b))
        << 4;
    (0..20)
        .map(|i| ALPHABET[((bits >> (95 - 5 * i)) & 0x1f) as usize] as char)
        .collect()
}
