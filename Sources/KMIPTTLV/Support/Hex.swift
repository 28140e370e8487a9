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

    /// The bytes of hex text; `ignoring` characters (spaces, `|`) are skipped.
    ///
    /// - Throws: ``KMIPError/Code/malformedInput`` naming the column of a bad character or an odd
    ///   digit count.
    package static func decode(_ text: some StringProtocol, ignoring: Set<Character> = []) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count / 2)
        var high: UInt8?
        var column = 0
        for scalar in text.unicodeScalars {
            column += 1
            if ignoring.contains(Character(scalar)) { continue }
            let nibble: UInt8
            switch scalar.value {
            case 0x30...0x39: nibble = UInt8(scalar.value - 0x30)
            case 0x41...0x46: nibble = UInt8(scalar.value - 0x41 + 10)
            case 0x61...0x66: nibble = UInt8(scalar.value - 0x61 + 10)
            default:
                throw KMIPError(.malformedInput, "'\(scalar)' at column \(column) is not a hex digit")
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
