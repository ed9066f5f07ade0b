//! The bytes of a client's entry inside raft-rs's `Entry::data`: the client, the request
//! and the command, so the trace's `append` and `apply` lines carry `req` as the model's
//! do. An empty `data` is a leader's first entry of its term (raft-rs's empty entry), the
//! model's no-op. This is a fixed little-endian layout of our own, not a protobuf.

use raft_core::{ClientId, Command, Payload, ReqId};

/// Bytes of one encoded client payload.
pub const PAYLOAD_BYTES: usize = 25;

/// `[tag u8][client u32][req u64][key u32][value u64]`; the value is 0 for reads.
pub fn encode(client: ClientId, req: ReqId, command: Command) -> Vec<u8> {
    let (tag, key, value) = match command {
        Command::Write { key, value } => (1u8, key, value),
        Command::Read { key } => (2, key, 0),
        Command::Append { key, element } => (3, key, element),
        Command::ReadList { key } => (4, key, 0),
    };
    let mut out = Vec::with_capacity(PAYLOAD_BYTES);
    out.push(tag);
    out.extend_from_slice(&client.0.to_le_bytes());
    out.extend_from_slice(&req.0.to_le_bytes());
    out.extend_from_slice(&key.to_le_bytes());
    out.extend_from_slice(&value.to_le_bytes());
    out
}

/// The payload `data` holds; panics on bytes this module did not write (no other writer
/// exists in a run).
pub fn decode(data: &[u8]) -> Payload {
    if data.is_empty() {
        return Payload::Noop;
    }
    assert_eq!(data.len(), PAYLOAD_BYTES, "an entry's data is one payload");
    let u32_at = |at: usize| u32::from_le_bytes(data[at..at + 4].try_into().expect("4 bytes"));
    let u64_at = |at: usize| u64::from_le_bytes(data[at..at + 8].try_into().expect("8 bytes"));
    let (client, req, key, value) = (
        ClientId(u32_at(1)),
        ReqId(u64_at(5)),
        u32_at(13),
        u64_at(17),
    );
    let command = match data[0] {
        1 => Command::Write { key, value },
        2 => Command::Read { key },
        3 => Command::Append {
            key,
            element: value,
        },
        4 => Command::ReadList { key },
        tag => panic!("unknown payload tag {tag}"),
    };
    Payload::Client {
        client,
        req,
        command,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_round_trips() {
        let commands = [
            Command::Write { key: 7, value: 99 },
            Command::Read { key: 3 },
            Command::Append {
                key: 1,
                element: u64::MAX,
            },
            Command::ReadList { key: u32::MAX },
        ];
        for command in commands {
            let bytes = encode(ClientId(4), ReqId(1 << 40), command);
            assert_eq!(bytes.len(), PAYLOAD_BYTES);
            assert_eq!(
                decode(&bytes),
                Payload::Client {
                    client: ClientId(4),
                    req: ReqId(1 << 40),
                    command
                }
            );
        }
    }

    #[test]
    fn empty_data_is_the_leaders_empty_entry() {
        assert_eq!(decode(&[]), Payload::Noop);
    }
}
