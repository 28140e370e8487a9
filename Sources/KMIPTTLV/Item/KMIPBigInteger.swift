// swift-kmip: KMIPTTLV
//
// The value of a Big Integer item.

/// An arbitrary-precision signed integer, as KMIP's Big Integer carries it (KMIP 1.x §9.1.1.4).
///
/// The value is kept as big-endian two's complement bytes in their shortest form, so two equal
/// numbers compare equal however many sign-extension bytes they arrived with. On the wire the
/// encoder sign-extends it to a multiple of eight bytes, as the specification requires.
public struct KMIPBigInteger: Hashable, Sendable {
    /// The shortest big-endian two's complement form of the value (at least one byte).
    public let twosComplementBytes: [UInt8]

    /// Creates a value from big-endian two's complement bytes of any length.
    ///
    /// An empty array is zero. Redundant sign-extension bytes are dropped.
    public init<Bytes: Collection>(twosComplement bytes: Bytes) where Bytes.Element == UInt8 {
        var bytes = Array(bytes)
        if bytes.isEmpty { bytes = [0] }
        var start = 0
        while start < bytes.count - 1 {
            let byte = bytes[start], next = bytes[start + 1]
            if (byte == 0x00 && next & 0x80 == 0) || (byte == 0xFF && next & 0x80 != 0) {
                start += 1
            } else {
                break
            }
        }
        twosComplementBytes = start == 0 ? bytes : Array(bytes[start...])
    }

    /// Creates a value from a machine integer.
    public init(_ value: Int64) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(8)
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> Int64(shift)))
        }
        self.init(twosComplement: bytes)
    }

    /// Creates a value from a non-negative magnitude in big-endian bytes (an RSA modulus, say).
    public init<Bytes: Collection>(unsignedMagnitude bytes: Bytes) where Bytes.Element == UInt8 {
        self.init(twosComplement: [0] + Array(bytes))
    }

    /// Whether the value is below zero.
    public var isNegative: Bool { twosComplementBytes[0] & 0x80 != 0 }

    /// The value sign-extended to a multiple of eight bytes, as it is written in TTLV.
    public var paddedBytes: [UInt8] {
        let count = twosComplementBytes.count
        let padded = (count + 7) / 8 * 8
        if padded == count { return twosComplementBytes }
        let fill: UInt8 = isNegative ? 0xFF : 0x00
        return [UInt8](repeating: fill, count: padded - count) + twosComplementBytes
    }

    /// The value as a machine integer, or `nil` when it does not fit in 64 bits.
    public var int64Value: Int64? {
        guard twosComplementBytes.count <= 8 else { return nil }
        var value: Int64 = isNegative ? -1 : 0
        for byte in twosComplementBytes { value = (value << 8) | Int64(byte) }
        return value
    }
}

extension KMIPBigInteger: CustomStringConvertible {
    /// The value in decimal.
    public var description: String {
        // Magnitude in base 10^9 limbs, by repeated division of the big-endian magnitude.
        var magnitude = twosComplementBytes
        let negative = isNegative
        if negative {
            // Two's complement negation: invert and add one.
            var carry: UInt16 = 1
            for index in magnitude.indices.reversed() {
                let sum = UInt16(~magnitude[index]) + carry
                magnitude[index] = UInt8(truncatingIfNeeded: sum)
                carry = sum >> 8
            }
        }
        var limbs: [UInt32] = []
        while magnitude.contains(where: { $0 != 0 }) {
            var remainder: UInt64 = 0
            for index in magnitude.indices {
                let current = (remainder << 8) | UInt64(magnitude[index])
                magnitude[index] = UInt8(current / 1_000_000_000)
                remainder = current % 1_000_000_000
            }
            limbs.append(UInt32(remainder))
        }
        guard let last = limbs.last else { return "0" }
        var text = negative ? "-" : ""
        text += String(last)
        for limb in limbs.dropLast().reversed() {
            let digits = String(limb)
            text += String(repeating: "0", count: 9 - digits.count) + digits
        }
        return text
    }
}
