// Inputs the fuzzers found; each once crashed or failed to round-trip.

import Testing
import KMIPXML

@Suite("Fuzzer findings")
struct FuzzRegressionTests {
    static let extremes: [KMIPItem.Value] = [
        .dateTime(.min), .dateTime(.max), .dateTime(-62_135_596_800 - 1), .dateTime(253_402_300_800),
        .dateTimeExtended(.min), .dateTimeExtended(.max), .dateTimeExtended(-1),
    ]

    @Test("extreme Date-Time values dump and round-trip through XML and JSON", arguments: extremes)
    func extremeDates(_ value: KMIPItem.Value) throws {
        let item = KMIPItem(.archiveDate, value)
        #expect(!item.dump().isEmpty)
        #expect(try KMIPXMLDecoder().decode(KMIPXMLEncoder().encode(item)) == item)
        #expect(try KMIPJSONDecoder().decode(KMIPJSONEncoder().encode(item)) == item)
    }

    @Test("a Date-Time beyond 64 bits is refused, not trapped on")
    func dateOverflow() throws {
        let error = try #require(throws: KMIPError.self) {
            try KMIPXMLDecoder().decode("<ArchiveDate type=\"DateTimeExtended\" value=\"999999999-01-01T00:00:00Z\"/>")
        }
        #expect(error.code == .invalidValue)
        #expect(throws: KMIPError.self) { try KMIPXMLDecoder().decode("<ArchiveDate type=\"DateTime\" value=\"9999999999999-01-01T00:00:00Z\"/>") }
    }

    @Test("invalid UTF-8 in XML is refused with its offset (FoundationXML would trap)")
    func invalidUTF8() throws {
        var bytes = Array("<RequestPayload>\n<BatchCount type=\"Integer\" vXlue=\"1\"/></RequestPayload>".utf8)
        bytes[36] = 0xE0  // the X
        let error = try #require(throws: KMIPError.self) { try KMIPXMLDecoder().decode(bytes) }
        #expect(error.code == .malformedInput)
        #expect(error.byteOffset == 36)
        #expect(error.line == 2)
    }
}

@Suite("Fuzzer findings, XML text")
struct XMLTextFuzzRegressionTests {
    @Test("control characters in a Text String survive XML as references")
    func controlCharacters() throws {
        let item = KMIPItem(.requestPayload, structure: [KMIPItem(.validationAuthorityURI, .textString("a\u{0}b\u{1}c\u{1F}\td\ne\r"))])
        let xml = KMIPXMLEncoder().encode(item)
        #expect(xml.contains("value=\"a&#0;b&#1;c&#31;&#9;d&#10;e&#13;\""))
        #expect(try KMIPXMLDecoder().decode(xml) == item)
    }

    @Test("a raw control character in an attribute value is not well-formed")
    func rawControlCharacter() throws {
        let error = try #require(throws: KMIPError.self) {
            try KMIPXMLDecoder().decode("<ValidationAuthorityURI type=\"TextString\" value=\"a\u{1}b\"/>")
        }
        #expect(error.code == .malformedInput)
    }
}
