// Every malformed input gets its own clear error: code, byte offset and tag path.

import Testing
import KMIPTTLV

@Suite("Malformed TTLV")
struct MalformedTTLVTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var id: String
        var description: String
        var strictness: TTLVDecodingOptions.Strictness
        var hex: String
        var code: KMIPError.Code
        var byteOffset: Int
        var tagPath: [String]
        var testDescription: String { "\(id): \(description)" }
    }

    static let cases: [Case] = (try? Repository.table("Vectors/malformed/ttlv.tsv"))?.map { row in
        Case(
            id: row["id"]!, description: row["description"]!,
            strictness: row["strictness"] == "tolerant" ? .tolerant : .strict,
            hex: row["hex"]!, code: KMIPError.Code(rawValue: row["code"]!),
            byteOffset: Int(row["byte_offset"]!)!,
            tagPath: row["tag_path"]!.isEmpty ? [] : row["tag_path"]!.split(separator: "/").map(String.init))
    } ?? []

    @Test("the table holds every case the foundation issue names")
    func coverage() {
        let ids = Set(Self.cases.map(\.id))
        for required in [
            "truncated-header", "truncated-value", "length-beyond-structure", "non-zero-padding", "unknown-item-type",
            "integer-length-8", "invalid-utf8", "nesting-65", "length-ffffffff", "trailing-bytes",
        ] {
            #expect(ids.contains(required), "missing case \(required)")
        }
    }

    @Test("is rejected with its own error", arguments: cases)
    func rejected(_ testCase: Case) throws {
        let input = try bytes(hex: testCase.hex)
        let error = try #require(throws: KMIPError.self) {
            try TTLVDecoder(options: TTLVDecodingOptions(strictness: testCase.strictness)).decode(input)
        }
        #expect(error.code == testCase.code, "\(error)")
        #expect(error.byteOffset == testCase.byteOffset, "\(error)")
        #expect(error.tagPath.map(\.description) == testCase.tagPath, "\(error)")
        #expect(!error.reason.isEmpty)
    }

    @Test("the description names the offset and the path")
    func description() throws {
        let error = try #require(throws: KMIPError.self) {
            try TTLVDecoder().decode(try bytes(hex: "4200780100000010 4200940700000020 0000000000000000"))
        }
        #expect(error.description.hasPrefix("invalidLength at byte 12, RequestMessage/UniqueIdentifier: "))
    }

    @Test("too many items is a limit error, counted before any allocation for them")
    func itemCount() throws {
        // A structure of 1,000 Integers against a limit of 100 items.
        let child = try bytes(hex: "42006A0200000004 0000000100000000")
        var message = try bytes(hex: "4200780100000000")
        message.replaceSubrange(4..<8, with: [0x00, 0x00, 0x3E, 0x80])  // 16,000 bytes
        for _ in 0..<1000 { message += child }
        #expect(try TTLVDecoder().decode(message).children?.count == 1000)
        let error = try #require(throws: KMIPError.self) {
            try TTLVDecoder(options: TTLVDecodingOptions(maximumItemCount: 100)).decode(message)
        }
        #expect(error.code == .limitExceeded)
        #expect(error.byteOffset == 8 + 99 * 16)
    }

    @Test("a message over the size limit is refused before it is read")
    func messageSize() throws {
        let message = try bytes(hex: "4200780100000010 42006A0200000004 0000000100000000")
        let error = try #require(throws: KMIPError.self) {
            try TTLVDecoder(options: TTLVDecodingOptions(maximumMessageSize: 16)).decode(message)
        }
        #expect(error.code == .limitExceeded)
    }

    @Test("a lower depth limit applies")
    func depth() throws {
        let three = try bytes(hex: "4200040100000010 4200040100000008 4200040100000000")
        #expect(throws: Never.self) { try TTLVDecoder(options: TTLVDecodingOptions(maximumDepth: 3)).decode(three) }
        let error = try #require(throws: KMIPError.self) {
            try TTLVDecoder(options: TTLVDecodingOptions(maximumDepth: 2)).decode(three)
        }
        #expect(error.code == .limitExceeded)
        #expect(error.byteOffset == 16)
    }
}

@Suite("Tolerant TTLV")
struct TolerantTTLVTests {
    @Test("non-zero padding is accepted and re-encoded as zeros")
    func padding() throws {
        let input = try bytes(hex: "42006A0200000004 0000000100000001")
        let item = try TTLVDecoder(options: .tolerant).decode(input)
        #expect(item.value == .integer(1))
        #expect(try TTLVEncoder().encode(item) == bytes(hex: "42006A0200000004 0000000100000000"))
    }

    @Test("padding missing at the end of the input is accepted")
    func missingPadding() throws {
        let item = try TTLVDecoder(options: .tolerant).decode(try bytes(hex: "4200940700000003 313233"))
        #expect(item.value == .textString("123"))
    }

    @Test("padding missing at the end of a structure is accepted")
    func missingPaddingInStructure() throws {
        let input = try bytes(hex: "420079010000000B 4200940700000003 313233")
        let item = try TTLVDecoder(options: .tolerant).decode(input)
        #expect(item == KMIPItem(.requestPayload, structure: [KMIPItem(.uniqueIdentifier, .textString("123"))]))
    }

    @Test("any non-zero Boolean is true")
    func boolean() throws {
        let item = try TTLVDecoder(options: .tolerant).decode(try bytes(hex: "4200100600000008 0000000000000002"))
        #expect(item.value == .boolean(true))
    }

    @Test("a Big Integer of any length is read")
    func bigInteger() throws {
        let item = try TTLVDecoder(options: .tolerant).decode(try bytes(hex: "42006C0400000003 0100010000000000"))
        #expect(item.value == .bigInteger(KMIPBigInteger(65537)))
    }

    @Test("types the registry does not expect for a tag are kept, in both modes")
    func typesAreNotChecked() throws {
        // Unique Identifier is a Text String, here an Integer; Activation Date as a Text String.
        let input = try bytes(hex: "4200780100000020 4200940200000004 0000000700000000 4200010700000001 7800000000000000")
        for options in [TTLVDecodingOptions.strict, .tolerant] {
            let item = try TTLVDecoder(options: options).decode(input)
            #expect(item.children == [KMIPItem(.uniqueIdentifier, .integer(7)), KMIPItem(.activationDate, .textString("x"))])
        }
    }

    @Test("extension tags and vendor enumeration values are kept")
    func extensions() throws {
        let input = try bytes(hex: "54FFFF0500000004 8000000100000000")
        let item = try TTLVDecoder().decode(input)
        #expect(item.tag == Tag(rawValue: 0x54FFFF))
        #expect(item.tag.isExtension)
        #expect(item.value == .enumeration(0x8000_0001))
        #expect(try TTLVEncoder().encode(item) == input)
    }
}
