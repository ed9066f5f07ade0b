//! The on-disk formats of a node: the log as fixed-size records with a checksum, and the
//! term/vote state as two alternating checksummed slots.
//!
//! A log record is 64 bytes, so a 512-byte sector holds 8 and a torn sector tears real
//! records. Record `i` (1-based) lives at byte `(i - 1) * 64`. A record is valid when its
//! CRC-32 matches and it names its own index; anything else (zeros past a gap, a torn or
//! corrupt sector, a stale record of another position) is invalid. Recovery keeps the valid
//! prefix and discards the first invalid record and everything after it.

use raft_core::{ClientId, Command, Entry, LogIndex, NodeId, Payload, ReqId, Term};

pub const RECORD_BYTES: u64 = 64;
/// Bytes of one state slot.
pub const STATE_SLOT_BYTES: usize = 32;

const KIND_NOOP: u8 = 1;
const KIND_WRITE: u8 = 2;
const KIND_READ: u8 = 3;
/// The list-append workload's commands: the key at the register's place, the element at
/// the value's, so register records keep their bytes.
const KIND_APPEND: u8 = 4;
const KIND_READ_LIST: u8 = 5;

/// CRC-32 lookup tables for eight bytes at a time ("slicing-by-8"): `CRC_TABLES[0]` is
/// the classic byte table, `CRC_TABLES[k][b]` the CRC of byte `b` followed by `k` zero
/// bytes. Every record is checksummed when written and again at each crash and restart,
/// so this is on the simulator's hot path; the checksum is the same as byte by byte.
const CRC_TABLES: [[u32; 256]; 8] = crc_tables();

const fn crc_tables() -> [[u32; 256]; 8] {
    let mut t = [[0u32; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            i += 1;
        }
        k += 1;
    }
    t
}

/// CRC-32 (IEEE), the checksum of every record.
pub fn crc32(bytes: &[u8]) -> u32 {
    let t = &CRC_TABLES;
    let mut c = !0u32;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let lo = c ^ u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        let hi = u32::from_le_bytes([w[4], w[5], w[6], w[7]]);
        c = t[7][(lo & 0xff) as usize]
            ^ t[6][((lo >> 8) & 0xff) as usize]
            ^ t[5][((lo >> 16) & 0xff) as usize]
            ^ t[4][(lo >> 24) as usize]
            ^ t[3][(hi & 0xff) as usize]
            ^ t[2][((hi >> 8) & 0xff) as usize]
            ^ t[1][((hi >> 16) & 0xff) as usize]
            ^ t[0][(hi >> 24) as usize];
    }
    // A record's 60 checksummed bytes end in four: one more step of four tables.
    let mut rest = words.remainder();
    if let [b0, b1, b2, b3, tail @ ..] = rest {
        let x = c ^ u32::from_le_bytes([*b0, *b1, *b2, *b3]);
        c = t[3][(x & 0xff) as usize]
            ^ t[2][((x >> 8) & 0xff) as usize]
            ^ t[1][((x >> 16) & 0xff) as usize]
            ^ t[0][(x >> 24) as usize];
        rest = tail;
    }
    for b in rest {
        c = t[0][((c ^ u32::from(*b)) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

/// Byte offset of record `index`.
pub fn record_offset(index: LogIndex) -> u64 {
    assert!(index.0 >= 1, "index 0 has no record");
    (index.0 - 1) * RECORD_BYTES
}

/// Encodes `entry` at `index` into `out` (exactly [`RECORD_BYTES`] bytes appended).
pub fn encode_record(index: LogIndex, entry: &Entry, out: &mut Vec<u8>) {
    let mut r = [0u8; RECORD_BYTES as usize];
    r[0..8].copy_from_slice(&index.0.to_le_bytes());
    r[8..16].copy_from_slice(&entry.term.0.to_le_bytes());
    match entry.payload {
        Payload::Noop => r[16] = KIND_NOOP,
        Payload::Client {
            client,
            req,
            command,
        } => {
            r[20..24].copy_from_slice(&client.0.to_le_bytes());
            r[24..32].copy_from_slice(&req.0.to_le_bytes());
            match command {
                Command::Write { key, value } => {
                    r[16] = KIND_WRITE;
                    r[32..36].copy_from_slice(&key.to_le_bytes());
                    r[36..44].copy_from_slice(&value.to_le_bytes());
                }
                Command::Read { key } => {
                    r[16] = KIND_READ;
                    r[32..36].copy_from_slice(&key.to_le_bytes());
                }
                Command::Append { key, element } => {
                    r[16] = KIND_APPEND;
                    r[32..36].copy_from_slice(&key.to_le_bytes());
                    r[36..44].copy_from_slice(&element.to_le_bytes());
                }
                Command::ReadList { key } => {
                    r[16] = KIND_READ_LIST;
                    r[32..36].copy_from_slice(&key.to_le_bytes());
                }
            }
        }
    }
    let crc = crc32(&r[..60]);
    r[60..64].copy_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&r);
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(a)
}

/// Decodes the record expected at `index`; `None` if it is invalid.
pub fn decode_record(index: LogIndex, r: &[u8]) -> Option<Entry> {
    if r.len() < RECORD_BYTES as usize
        || u32_at(r, 60) != crc32(&r[..60])
        || u64_at(r, 0) != index.0
    {
        return None;
    }
    let term = Term(u64_at(r, 8));
    let client = ClientId(u32_at(r, 20));
    let req = ReqId(u64_at(r, 24));
    let key = u32_at(r, 32);
    let payload = match r[16] {
        KIND_NOOP => Payload::Noop,
        KIND_WRITE => Payload::Client {
            client,
            req,
            command: Command::Write {
                key,
                value: u64_at(r, 36),
            },
        },
        KIND_READ => Payload::Client {
            client,
            req,
            command: Command::Read { key },
        },
        KIND_APPEND => Payload::Client {
            client,
            req,
            command: Command::Append {
                key,
                element: u64_at(r, 36),
            },
        },
        KIND_READ_LIST => Payload::Client {
            client,
            req,
            command: Command::ReadList { key },
        },
        _ => return None,
    };
    Some(Entry { term, payload })
}

/// What recovery finds in a log file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DecodedLog {
    /// The valid prefix, from index 1.
    pub entries: Vec<Entry>,
    /// Records in the file after the valid prefix (discarded).
    pub dropped: u64,
}

/// Decodes a whole log file: the valid prefix and how many records follow it.
#[cfg(test)]
pub fn decode_log(bytes: &[u8]) -> DecodedLog {
    decode_log_from(bytes, LogIndex(1))
}

/// The valid records of a log compacted up to `first - 1`, from `bytes`: the file from
/// record `first` on (what lies before it is not read); `dropped` counts the records from
/// the first invalid one to the end.
pub fn decode_log_from(bytes: &[u8], first: LogIndex) -> DecodedLog {
    let records = bytes.len() as u64 / RECORD_BYTES;
    let mut entries = Vec::with_capacity(records as usize);
    entries.extend(valid_records(bytes, first));
    DecodedLog {
        dropped: records - entries.len() as u64,
        entries,
    }
}

/// The valid prefix of `bytes` (the file from record `first` on), decoded one record at a
/// time: what `decode_log_from` keeps, for a reader that need not hold it.
pub fn valid_records(bytes: &[u8], first: LogIndex) -> impl Iterator<Item = Entry> + '_ {
    assert!(first.0 >= 1, "a log starts at index 1 or later");
    bytes
        .chunks_exact(RECORD_BYTES as usize)
        .zip(0..)
        .map_while(move |(r, i)| decode_record(first.plus(i), r))
}

/// Where record `index` starts in the log file.
pub fn record_offset_bytes(index: LogIndex) -> u64 {
    assert!(index.0 >= 1, "a log starts at index 1");
    (index.0 - 1) * RECORD_BYTES
}

/// Term and vote as saved; `seq` orders the two slots.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SavedState {
    pub seq: u64,
    pub term: Term,
    pub vote: Option<NodeId>,
}

pub fn encode_state(s: &SavedState) -> [u8; STATE_SLOT_BYTES] {
    let mut r = [0u8; STATE_SLOT_BYTES];
    r[0..8].copy_from_slice(&s.seq.to_le_bytes());
    r[8..16].copy_from_slice(&s.term.0.to_le_bytes());
    r[16] = s.vote.map_or(0, |v| v.0);
    let crc = crc32(&r[..28]);
    r[28..32].copy_from_slice(&crc.to_le_bytes());
    r
}

pub fn decode_state(r: &[u8]) -> Option<SavedState> {
    if r.len() < STATE_SLOT_BYTES || u32_at(r, 28) != crc32(&r[..28]) {
        return None;
    }
    let seq = u64_at(r, 0);
    if seq == 0 {
        return None;
    }
    let vote = (r[16] != 0).then_some(NodeId(r[16]));
    Some(SavedState {
        seq,
        term: Term(u64_at(r, 8)),
        vote,
    })
}

/// The newest valid of the two slots at offsets 0 and `slot_stride` (a sector apart, so a
/// torn write damages one slot only); the default (term 0, no vote) if neither is valid.
pub fn decode_state_file(bytes: &[u8], slot_stride: usize) -> SavedState {
    let slot = |at: usize| bytes.get(at..at + STATE_SLOT_BYTES).and_then(decode_state);
    match (slot(0), slot(slot_stride)) {
        (Some(a), Some(b)) => {
            if a.seq >= b.seq {
                a
            } else {
                b
            }
        }
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => SavedState::default(),
    }
}

/// Bytes of one directory record (a sector holds it whole).
pub const DIR_RECORD_BYTES: usize = 32;

/// A directory entry, as the simulator models a directory: the snapshot directory names
/// the data file holding the current snapshot (`a`: the file, `b`: the snapshot's index);
/// the log directory says where the log starts (`a`: the first index kept). `seq` orders
/// the two slots of the directory file, as for the state file: a rename or an unlink is
/// one atomic record, durable once the directory is flushed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DirRecord {
    pub seq: u64,
    pub a: u64,
    pub b: u64,
}

pub fn encode_dir_record(r: &DirRecord) -> [u8; DIR_RECORD_BYTES] {
    let mut out = [0u8; DIR_RECORD_BYTES];
    out[0..8].copy_from_slice(&r.seq.to_le_bytes());
    out[8..16].copy_from_slice(&r.a.to_le_bytes());
    out[16..24].copy_from_slice(&r.b.to_le_bytes());
    let crc = crc32(&out[..28]);
    out[28..32].copy_from_slice(&crc.to_le_bytes());
    out
}

pub fn decode_dir_record(r: &[u8]) -> Option<DirRecord> {
    if r.len() < DIR_RECORD_BYTES || u32_at(r, 28) != crc32(&r[..28]) {
        return None;
    }
    let seq = u64_at(r, 0);
    (seq != 0).then(|| DirRecord {
        seq,
        a: u64_at(r, 8),
        b: u64_at(r, 16),
    })
}

/// The newest valid of a directory file's two slots (a sector apart); `None` if neither
/// is valid (a directory never written).
pub fn decode_dir_file(bytes: &[u8], slot_stride: usize) -> Option<DirRecord> {
    let slot = |at: usize| {
        bytes
            .get(at..at + DIR_RECORD_BYTES)
            .and_then(decode_dir_record)
    };
    match (slot(0), slot(slot_stride)) {
        (Some(a), Some(b)) => Some(if a.seq >= b.seq { a } else { b }),
        (a, b) => a.or(b),
    }
}

const SNAPSHOT_MAGIC: u32 = 0x534e_4150; // "SNAP"

/// A snapshot file: magic, index, term, register count, list count, the registers as
/// (key, value), the lists as (key, length, elements), then the CRC-32 of all before it.
pub fn encode_snapshot(s: &raft_core::Snapshot, out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(&SNAPSHOT_MAGIC.to_le_bytes());
    out.extend_from_slice(&s.index.0.to_le_bytes());
    out.extend_from_slice(&s.term.0.to_le_bytes());
    let registers = s.kv.registers().count() as u32;
    let lists = s.kv.lists().count() as u32;
    out.extend_from_slice(&registers.to_le_bytes());
    out.extend_from_slice(&lists.to_le_bytes());
    for (k, v) in s.kv.registers() {
        out.extend_from_slice(&k.to_le_bytes());
        out.extend_from_slice(&v.to_le_bytes());
    }
    for (k, elements) in s.kv.lists() {
        out.extend_from_slice(&k.to_le_bytes());
        out.extend_from_slice(&(elements.len() as u32).to_le_bytes());
        for e in elements {
            out.extend_from_slice(&e.to_le_bytes());
        }
    }
    let crc = crc32(out);
    out.extend_from_slice(&crc.to_le_bytes());
}

/// Reads a snapshot file back; `None` if it is torn, corrupt or not a snapshot.
pub fn decode_snapshot(bytes: &[u8]) -> Option<raft_core::Snapshot> {
    let body_len = bytes.len().checked_sub(4)?;
    if u32_at(bytes, body_len) != crc32(&bytes[..body_len]) {
        return None;
    }
    let mut r = Reader {
        bytes: &bytes[..body_len],
        at: 0,
    };
    if r.u32()? != SNAPSHOT_MAGIC {
        return None;
    }
    let index = LogIndex(r.u64()?);
    let term = Term(r.u64()?);
    let registers = r.u32()?;
    let lists = r.u32()?;
    let mut regs = Vec::new();
    for _ in 0..registers {
        regs.push((r.u32()?, r.u64()?));
    }
    let mut ls = Vec::new();
    for _ in 0..lists {
        let key = r.u32()?;
        let len = r.u32()? as usize;
        if len > raft_core::LIST_ELEMENTS_MAX {
            return None;
        }
        let mut elements = Vec::with_capacity(len);
        for _ in 0..len {
            elements.push(r.u64()?);
        }
        ls.push((key, elements));
    }
    (r.at == r.bytes.len()).then(|| raft_core::Snapshot {
        index,
        term,
        kv: raft_core::Kv::from_parts(regs, ls),
    })
}

/// Little-endian fields read in order, `None` past the end.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let b = self.bytes.get(self.at..self.at + N)?;
        self.at += N;
        b.try_into().ok()
    }
    fn u32(&mut self) -> Option<u32> {
        self.take::<4>().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Option<u64> {
        self.take::<8>().map(u64::from_le_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(term: u64, req: u64) -> Entry {
        Entry {
            term: Term(term),
            payload: Payload::Client {
                client: ClientId(2),
                req: ReqId(req),
                command: Command::Write { key: 7, value: req },
            },
        }
    }

    #[test]
    fn crc_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    /// Eight (and four) bytes at a time gives the byte-by-byte checksum, whatever the length.
    #[test]
    fn crc_by_eight_bytes_matches_byte_by_byte() {
        let bytewise = |bytes: &[u8]| {
            let mut c = !0u32;
            for b in bytes {
                c = CRC_TABLES[0][((c ^ u32::from(*b)) & 0xff) as usize] ^ (c >> 8);
            }
            !c
        };
        let bytes: Vec<u8> = (0..200u32).map(|i| (i * 37 + 11) as u8).collect();
        for len in 0..bytes.len() {
            assert_eq!(
                crc32(&bytes[..len]),
                bytewise(&bytes[..len]),
                "length {len}"
            );
        }
    }

    #[test]
    fn records_round_trip_and_name_their_index() {
        let mut buf = Vec::new();
        let e = write(3, 99);
        encode_record(LogIndex(5), &e, &mut buf);
        assert_eq!(buf.len() as u64, RECORD_BYTES);
        assert_eq!(decode_record(LogIndex(5), &buf), Some(e));
        assert_eq!(
            decode_record(LogIndex(6), &buf),
            None,
            "a record at the wrong place is invalid"
        );
        buf[40] ^= 1;
        assert_eq!(
            decode_record(LogIndex(5), &buf),
            None,
            "a flipped bit fails the checksum"
        );
    }

    #[test]
    fn list_commands_round_trip() {
        for command in [
            Command::Append {
                key: 3,
                element: u64::MAX - 1,
            },
            Command::ReadList { key: 9 },
            Command::Read { key: 2 },
        ] {
            let e = Entry {
                term: Term(7),
                payload: Payload::Client {
                    client: ClientId(1),
                    req: ReqId(42),
                    command,
                },
            };
            let mut buf = Vec::new();
            encode_record(LogIndex(11), &e, &mut buf);
            assert_eq!(decode_record(LogIndex(11), &buf), Some(e));
        }
    }

    /// The register write's record, byte for byte as it was before the list commands: old
    /// logs and every pinned trace hash depend on it. The expected bytes were computed
    /// apart from this code, from the layout above and zlib's CRC-32.
    #[test]
    fn a_register_write_keeps_its_bytes() {
        let mut buf = Vec::new();
        encode_record(LogIndex(5), &write(3, 99), &mut buf);
        let hex: String = buf.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "050000000000000003000000000000000200000002000000630000000000000007000000630000000000000000000000000000000000000000000000640579f2"
        );
    }

    #[test]
    fn decode_keeps_the_valid_prefix_and_counts_the_rest() {
        let mut buf = Vec::new();
        for i in 1..=4 {
            encode_record(LogIndex(i), &write(1, i), &mut buf);
        }
        buf[2 * 64 + 3] ^= 0xff; // corrupt record 3
        let d = decode_log(&buf);
        assert_eq!(d.entries.len(), 2);
        assert_eq!(d.dropped, 2);
        assert_eq!(
            decode_log(&[0u8; 128]),
            DecodedLog {
                entries: vec![],
                dropped: 2
            }
        );
    }

    #[test]
    fn state_takes_the_newest_valid_slot() {
        let mut file = vec![0u8; 1024];
        let a = SavedState {
            seq: 1,
            term: Term(4),
            vote: Some(NodeId(2)),
        };
        let b = SavedState {
            seq: 2,
            term: Term(5),
            vote: None,
        };
        file[..32].copy_from_slice(&encode_state(&a));
        file[512..544].copy_from_slice(&encode_state(&b));
        assert_eq!(decode_state_file(&file, 512), b);
        file[520] ^= 1;
        assert_eq!(
            decode_state_file(&file, 512),
            a,
            "a torn newer slot falls back to the older"
        );
        assert_eq!(decode_state_file(&[], 512), SavedState::default());
    }

    #[test]
    fn a_snapshot_reads_back_and_a_flipped_byte_is_refused() {
        let mut kv = raft_core::Kv::default();
        kv.apply(Command::Write { key: 3, value: 9 });
        kv.apply(Command::Append { key: 4, element: 1 });
        kv.apply(Command::Append { key: 4, element: 2 });
        let s = raft_core::Snapshot {
            index: LogIndex(17),
            term: Term(3),
            kv,
        };
        let mut bytes = Vec::new();
        encode_snapshot(&s, &mut bytes);
        assert_eq!(decode_snapshot(&bytes), Some(s));
        bytes[9] ^= 1;
        assert_eq!(decode_snapshot(&bytes), None);
        assert_eq!(decode_snapshot(&bytes[..3]), None);
    }

    #[test]
    fn the_newest_valid_directory_slot_wins() {
        let r = |seq, a| encode_dir_record(&DirRecord { seq, a, b: 7 });
        let mut file = vec![0u8; 1024];
        file[..32].copy_from_slice(&r(4, 1));
        file[512..544].copy_from_slice(&r(5, 2));
        assert_eq!(decode_dir_file(&file, 512).map(|d| d.a), Some(2));
        file[520] ^= 1;
        assert_eq!(decode_dir_file(&file, 512).map(|d| d.a), Some(1));
        assert_eq!(decode_dir_file(&[], 512), None);
    }
}
