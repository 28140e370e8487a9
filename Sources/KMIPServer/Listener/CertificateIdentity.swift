// swift-kmip: KMIPServer
//
// The identity of a client: the common name of its certificate's subject.

/// Reads the subject common name (OID 2.5.4.3) of a DER certificate (RFC 5280 §4.1), or `nil`.
///
/// A small DER walk: Certificate > tbsCertificate > [version], serialNumber, signature, issuer,
/// validity, subject > RDNs > attribute (OID, value).
func subjectCommonName(ofDER der: [UInt8]) -> String? {
    var reader = DERReader(der[...])
    guard var certificate = reader.enter(0x30), var tbs = certificate.enter(0x30) else { return nil }
    if tbs.peekTag == 0xA0 { _ = tbs.skip() }  // version
    for _ in 0..<4 { guard tbs.skip() else { return nil } }  // serialNumber, signature, issuer, validity
    guard var subject = tbs.enter(0x30) else { return nil }
    while var set = subject.enter(0x31) {
        while var attribute = set.enter(0x30) {
            guard let oid = attribute.read(0x06) else { break }
            if Array(oid) == [0x55, 0x04, 0x03], let (_, value) = attribute.readAny() {
                return String(decoding: value, as: UTF8.self)
            }
        }
    }
    return nil
}

struct DERReader {
    var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    var peekTag: UInt8? { bytes.first }

    /// Reads one element: its tag and contents.
    mutating func readAny() -> (UInt8, ArraySlice<UInt8>)? {
        guard bytes.count >= 2 else { return nil }
        let start = bytes.startIndex
        let tag = bytes[start]
        var index = start + 1
        var length = Int(bytes[index])
        index += 1
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard count >= 1, count <= 4, index + count <= bytes.endIndex else { return nil }
            length = 0
            for byte in bytes[index..<index + count] { length = length << 8 | Int(byte) }
            index += count
        }
        guard length >= 0, index + length <= bytes.endIndex else { return nil }
        let contents = bytes[index..<index + length]
        bytes = bytes[(index + length)...]
        return (tag, contents)
    }

    mutating func read(_ tag: UInt8) -> ArraySlice<UInt8>? {
        guard peekTag == tag, let (_, contents) = readAny() else { return nil }
        return contents
    }

    mutating func enter(_ tag: UInt8) -> DERReader? {
        read(tag).map(DERReader.init)
    }

    mutating func skip() -> Bool { readAny() != nil }
}
