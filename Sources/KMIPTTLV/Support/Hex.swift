// swift-kmip: KMIPTTLV
//
// Hex text <-> bytes, shared by the dump, the text encodings and the tools.

package enum Hex {
    private static let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
    private static let lowerDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// `bytes` as hex digits, uppercase unless `lowercase`.
    package static func encode<Bytes: Sequence>(_ bytes: Bytes, lowercase: Bool = false) -> String where Bytes.Element == UInt8 {
        let table = lowercase ? lowerDigits : digits
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(table[Int(byte >> 4)])
            out.append(table[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of hex text; `ignoring` characters (spaces, `|`; ASCII only) are skipped.
    ///
    /// - Throws: ``KMIPError/Code/malformedInput`` naming the column of a bad character or an odd
    ///   digit count.
    package static func decode(_ text: some StringProtocol, ignoring: Set<Character> = []) throws -> [UInt8] {
        let skipped = ignoring.compactMap { $0.asciiValue }
        if let bytes = try text.utf8.withContiguousStorageIfAvailable({ try decode(utf8: $0, skipping: skipped) }) {
            return bytes
        }
        var copy = String(text)
        return try copy.withUTF8 { try decode(utf8: $0, skipping: skipped) }
    }

    private static func decode(utf8: UnsafeBufferPointer<UInt8>, skipping skipped: [UInt8]) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var high: UInt8?
        for (index, byte) in utf8.enumerated() {
            let nibble: UInt8
            switch byte {
            case 0x30...0x39: nibble = byte &- 0x30
            case 0x41...0x46: nibble = byte &- 0x41 &+ 10
            case 0x61...0x66: nibble = byte &- 0x61 &+ 10
            default:
                if skipped.contains(byte) { continue }
                let column = String(decoding: utf8[..<index], as: UTF8.self).count + 1
                let character = String(decoding: utf8[index...], as: UTF8.self).first.map(String.init) ?? "?"
                throw KMIPError(.malformedInput, "'\(character)' at column \(column) is not a hex digit")
            }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        guard high == nil else {
            throw KMIPError(.malformedInput, "odd number of hex digits")
        }
        return bytes
    }
}
