// Random trees of every item type round-trip through TTLV bytes.

import Testing
import PropertyBased
import KMIPTTLV

/// A small deterministic generator (SplitMix64), so each seed names one tree.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random item trees: every item type, standard and extension tags, nesting.
enum RandomTree {
    static func item<R: RandomNumberGenerator>(depth: Int, using rng: inout R) -> KMIPItem {
        let tag = Bool.random(using: &rng)
            ? Tag(rawValue: UInt32.random(in: 0x42_0001...0x42_0160, using: &rng))
            : Tag(rawValue: UInt32.random(in: 0x54_0000...0x54_FFFF, using: &rng))
        let type = depth > 0 && Int.random(in: 0..<4, using: &rng) == 0 ? 0 : Int.random(in: 1...10, using: &rng)
        switch type {
        case 0:
            let count = Int.random(in: 0...5, using: &rng)
            return KMIPItem(tag, structure: (0..<count).map { _ in item(depth: depth - 1, using: &rng) })
        case 1: return KMIPItem(tag, .integer(Int32.random(in: .min ... .max, using: &rng)))
        case 2: return KMIPItem(tag, .longInteger(Int64.random(in: .min ... .max, using: &rng)))
        case 3:
            let bytes = (0..<Int.random(in: 1...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            return KMIPItem(tag, .bigInteger(KMIPBigInteger(twosComplement: bytes)))
        case 4: return KMIPItem(tag, .enumeration(UInt32.random(in: .min ... .max, using: &rng)))
        case 5: return KMIPItem(tag, .boolean(Bool.random(using: &rng)))
        case 6:
            let scalars = (0..<Int.random(in: 0...24, using: &rng)).map { _ -> Character in
                let choices: [ClosedRange<UInt32>] = [0x20...0x7E, 0xA0...0x7FF, 0x4E00...0x9FFF, 0x1F600...0x1F64F]
                let range = choices[Int.random(in: 0..<choices.count, using: &rng)]
                return Character(Unicode.Scalar(UInt32.random(in: range, using: &rng))!)
            }
            return KMIPItem(tag, .textString(String(scalars)))
        case 7:
            return KMIPItem(tag, .byteString((0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }))
        case 8: return KMIPItem(tag, .dateTime(Int64.random(in: .min ... .max, using: &rng)))
        case 9: return KMIPItem(tag, .interval(UInt32.random(in: .min ... .max, using: &rng)))
        default: return KMIPItem(tag, .dateTimeExtended(Int64.random(in: .min ... .max, using: &rng)))
        }
    }

    static func message(seed: UInt64) -> KMIPItem {
        var rng = SplitMix64(state: seed)
        let count = Int.random(in: 1...8, using: &rng)
        return KMIPItem(.requestMessage, structure: (0..<count).map { _ in item(depth: 6, using: &rng) })
    }
}

@Suite("TTLV round-trip properties")
struct RoundTripPropertyTests {
    @Test("random trees survive bytes -> tree -> bytes")
    func randomTrees() async {
        await propertyCheck(count: 500, input: Gen.uint64(in: 0 ... .max)) { seed in
            let tree = RandomTree.message(seed: seed)
            do {
                let wire = try TTLVEncoder().encode(tree)
                #expect(wire.count % 8 == 0)
                let decoded = try TTLVDecoder().decode(wire)
                #expect(decoded == tree)
                #expect(try TTLVEncoder().encode(decoded) == wire)
            } catch {
                Issue.record("seed \(seed): \(error)")
            }
        }
    }

    @Test("the encoded length is what the header says")
    func lengths() throws {
        let tree = RandomTree.message(seed: 42)
        let wire = try TTLVEncoder().encode(tree)
        let length = wire[4..<8].reduce(0) { $0 << 8 | Int($1) }
        #expect(length + 8 == wire.count)
    }

    @Test("Big Integers are sign-extended to a multiple of eight bytes")
    func bigIntegerPadding() throws {
        let negative = KMIPItem(.publicExponent, .bigInteger(KMIPBigInteger(-2)))
        #expect(try TTLVEncoder().encode(negative) == bytes(hex: "42006C0400000008 FFFFFFFFFFFFFFFE"))
        let high = KMIPItem(.publicExponent, .bigInteger(KMIPBigInteger(unsignedMagnitude: [0x80] + [UInt8](repeating: 0, count: 7))))
        #expect(try TTLVEncoder().encode(high) == bytes(hex: "42006C0400000010 0000000000000000 8000000000000000"))
        #expect(KMIPBigInteger(twosComplement: [0xFF, 0xFF, 0x80]) == KMIPBigInteger(-128))
        #expect(KMIPBigInteger(-128).description == "-128")
        #expect(KMIPBigInteger(0).description == "0")
        #expect(KMIPBigInteger(Int64.min).int64Value == Int64.min)
    }

    @Test("a tag beyond three bytes cannot be encoded")
    func wideTag() throws {
        let item = KMIPItem(.requestPayload, structure: [KMIPItem(Tag(rawValue: 0x0100_0000), .integer(1))])
        let error = try #require(throws: KMIPError.self) { try TTLVEncoder().encode(item) }
        #expect(error.code == .invalidValue)
        #expect(error.tagPath == [.requestPayload, Tag(rawValue: 0x0100_0000)])
    }
}
