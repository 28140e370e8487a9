// The ten TTLV encoding examples of the KMIP Specification 1.x §9.1.2.

import Testing
import KMIPTTLV

@Suite("Specification TTLV examples (1.x §9.1.2)")
struct SpecExamplesTests {
    struct Example: Sendable, CustomTestStringConvertible {
        var id: String
        var description: String
        var hex: String
        var testDescription: String { "\(id): \(description)" }
    }

    static let examples: [Example] = (try? Repository.table("Vectors/ttlv/spec-ttlv-examples.tsv"))?.map {
        Example(id: $0["id"]!, description: $0["description"]!, hex: $0["hex"]!)
    } ?? []

    /// What each example must decode to, from its description in the specification.
    static let expected: [String: KMIPItem] = [
        "spec-ex-01": KMIPItem(Tag(rawValue: 0x420020), .integer(8)),
        "spec-ex-02": KMIPItem(Tag(rawValue: 0x420020), .longInteger(123_456_789_000_000_000)),
        "spec-ex-03": KMIPItem(Tag(rawValue: 0x420020), .bigInteger(KMIPBigInteger(twosComplement: [0x03, 0xFD, 0x35, 0xEB, 0x6B, 0xC2, 0xDF, 0x46, 0x18, 0x08, 0x00, 0x00]))),
        "spec-ex-04": KMIPItem(Tag(rawValue: 0x420020), .enumeration(255)),
        "spec-ex-05": KMIPItem(Tag(rawValue: 0x420020), .boolean(true)),
        "spec-ex-06": KMIPItem(Tag(rawValue: 0x420020), .textString("Hello World")),
        "spec-ex-07": KMIPItem(Tag(rawValue: 0x420020), .byteString([1, 2, 3])),
        // Friday, March 14, 2008, 11:56:40 GMT
        "spec-ex-08": KMIPItem(Tag(rawValue: 0x420020), .dateTime(1_205_495_800)),
        "spec-ex-09": KMIPItem(Tag(rawValue: 0x420020), .interval(10 * 86_400)),
        "spec-ex-10": KMIPItem(Tag(rawValue: 0x420020), structure: [
            KMIPItem(Tag(rawValue: 0x420004), .enumeration(254)),
            KMIPItem(Tag(rawValue: 0x420005), .integer(255)),
        ]),
    ]

    @Test("all ten examples are present")
    func allPresent() {
        #expect(Self.examples.count == 10)
        #expect(Set(Self.examples.map(\.id)) == Set(Self.expected.keys))
    }

    @Test("decodes to the described value and encodes back byte for byte", arguments: examples)
    func roundTrip(_ example: Example) throws {
        let wire = try bytes(hex: example.hex)
        let item = try TTLVDecoder().decode(wire)
        #expect(item == Self.expected[example.id])
        #expect(try TTLVEncoder().encode(item) == wire)
        // Building the value by hand encodes to the same bytes.
        #expect(try TTLVEncoder().encode(try #require(Self.expected[example.id])) == wire)
    }

    @Test("the Big Integer example reads as 1234567890000000000000000000")
    func bigIntegerDecimal() throws {
        let item = try TTLVDecoder().decode(try bytes(hex: "42002004000000100000000003FD35EB6BC2DF4618080000"))
        guard case .bigInteger(let number) = item.value else {
            Issue.record("not a Big Integer: \(item)")
            return
        }
        #expect(number.description == "1234567890000000000000000000")
        #expect(!number.isNegative)
    }

    @Test("the Date-Time example dumps as 2008-03-14T11:56:40Z")
    func dateTimeText() throws {
        let item = try TTLVDecoder().decode(try bytes(hex: "42002009000000080000000047DA67F8"))
        #expect(item.dump().contains("2008-03-14T11:56:40Z"))
    }
}
