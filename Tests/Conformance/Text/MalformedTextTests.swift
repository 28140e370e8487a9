// Malformed XML and JSON: each gets a clear error naming the line or the tag path.

import Testing
import KMIPXML

@Suite("Malformed XML and JSON")
struct MalformedTextTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var code: KMIPError.Code
        var line: Int
        var path: String
        var testDescription: String { name }
    }

    static let xmlCases: [Case] = [
        Case(name: "unclosed element", text: "<RequestMessage>\n  <RequestHeader>\n</RequestMessage>\n", code: .malformedInput, line: 3, path: "RequestMessage/RequestHeader"),
        Case(name: "unknown type name", text: "<RequestPayload>\n  <BatchCount type=\"Int\" value=\"1\"/>\n</RequestPayload>", code: .unknownItemType, line: 2, path: "RequestPayload/BatchCount"),
        Case(name: "bad hex", text: "<KeyMaterial type=\"ByteString\" value=\"0g12\"/>", code: .invalidValue, line: 1, path: "KeyMaterial"),
        Case(name: "value does not fit its type", text: "<BatchCount type=\"Integer\" value=\"4294967296\"/>", code: .invalidValue, line: 1, path: "BatchCount"),
        Case(name: "enumeration name that does not exist", text: "<BatchItem>\n<Operation type=\"Enumeration\" value=\"Teleport\"/>\n</BatchItem>", code: .unknownName, line: 2, path: "BatchItem/Operation"),
        Case(name: "mask bit that does not exist", text: "<CryptographicUsageMask type=\"Integer\" value=\"Encrypt Fly\"/>", code: .unknownName, line: 1, path: "CryptographicUsageMask"),
        Case(name: "unknown tag", text: "<RequestPayload>\n\n<Frobnicator type=\"Integer\" value=\"1\"/></RequestPayload>", code: .unknownName, line: 3, path: "RequestPayload"),
        Case(name: "missing value", text: "<BatchCount type=\"Integer\"/>", code: .missingField, line: 1, path: "BatchCount"),
        Case(name: "element inside a value", text: "<BatchCount type=\"Integer\" value=\"1\"><BatchCount type=\"Integer\" value=\"1\"/></BatchCount>", code: .malformedInput, line: 1, path: "BatchCount"),
        Case(name: "bad date-time", text: "<ActivationDate type=\"DateTime\" value=\"2001-13-01T00:00:00Z\"/>", code: .invalidValue, line: 1, path: "ActivationDate"),
        Case(name: "placeholder outside a test case", text: "<ActivationDate type=\"DateTime\" value=\"$NOW\"/>", code: .invalidValue, line: 1, path: "ActivationDate"),
        Case(name: "generic element without a tag", text: "<TTLV type=\"Integer\" value=\"1\"/>", code: .missingField, line: 1, path: ""),
        Case(name: "3.0 item type", text: "<UniqueIdentifier type=\"Identifier\" value=\"x\"/>", code: .unknownItemType, line: 1, path: "UniqueIdentifier"),
        Case(name: "not XML at all", text: "hello", code: .malformedInput, line: 1, path: ""),
    ]

    static let jsonCases: [Case] = [
        Case(name: "unclosed object", text: "{\"tag\": \"RequestPayload\", \"value\": [\n{\"tag\": \"BatchCount\", \"type\": \"Integer\", \"value\": 1}\n", code: .malformedInput, line: 3, path: ""),
        Case(name: "unknown type name", text: "{\"tag\": \"RequestPayload\", \"value\": [\n{\"tag\": \"BatchCount\", \"type\": \"Int\", \"value\": 1}]}", code: .unknownItemType, line: 2, path: "RequestPayload/BatchCount"),
        Case(name: "bad hex", text: "{\"tag\": \"KeyMaterial\", \"type\": \"ByteString\", \"value\": \"zz\"}", code: .invalidValue, line: 1, path: "KeyMaterial"),
        Case(name: "value does not fit its type", text: "{\"tag\": \"BatchCount\", \"type\": \"Integer\", \"value\": 4294967296}", code: .invalidValue, line: 1, path: "BatchCount"),
        Case(name: "enumeration name that does not exist", text: "{\"tag\": \"BatchItem\", \"value\": [\n\n{\"tag\": \"Operation\", \"type\": \"Enumeration\", \"value\": \"Teleport\"}]}", code: .unknownName, line: 3, path: "BatchItem/Operation"),
        Case(name: "unknown tag", text: "{\"tag\": \"Frobnicator\", \"type\": \"Integer\", \"value\": 1}", code: .unknownName, line: 1, path: ""),
        Case(name: "Boolean for an Integer", text: "{\"tag\": \"BatchCount\", \"type\": \"Integer\", \"value\": true}", code: .invalidValue, line: 1, path: "BatchCount"),
        Case(name: "a structure that is not an array", text: "{\"tag\": \"RequestPayload\", \"value\": 3}", code: .invalidValue, line: 1, path: "RequestPayload"),
        Case(name: "unknown key", text: "{\"tag\": \"BatchCount\", \"type\": \"Integer\", \"value\": 1, \"colour\": \"red\"}", code: .malformedInput, line: 1, path: ""),
        Case(name: "trailing text", text: "{\"tag\": \"BatchCount\", \"type\": \"Integer\", \"value\": 1} x", code: .malformedInput, line: 1, path: ""),
        Case(name: "bad escape", text: "{\"tag\": \"Batch\\qCount\"}", code: .malformedInput, line: 1, path: ""),
    ]

    @Test("XML", arguments: xmlCases)
    func xml(_ testCase: Case) throws {
        let error = try #require(throws: KMIPError.self) { try KMIPXMLDecoder().decode(testCase.text) }
        #expect(error.code == testCase.code, "\(error)")
        #expect(error.line == testCase.line, "\(error)")
        #expect(error.tagPath.map(\.description).joined(separator: "/") == testCase.path, "\(error)")
    }

    @Test("JSON", arguments: jsonCases)
    func json(_ testCase: Case) throws {
        let error = try #require(throws: KMIPError.self) { try KMIPJSONDecoder().decode(testCase.text) }
        #expect(error.code == testCase.code, "\(error)")
        #expect(error.line == testCase.line, "\(error)")
        #expect(error.tagPath.map(\.description).joined(separator: "/") == testCase.path, "\(error)")
    }

    static func nested(_ depth: Int, xml: Bool) -> String {
        xml ? String(repeating: "<RequestPayload>", count: depth) + String(repeating: "</RequestPayload>", count: depth)
            : String(repeating: "{\"tag\": \"RequestPayload\", \"value\": [", count: depth) + String(repeating: "]}", count: depth)
    }

    @Test("deep documents stop at the depth limit")
    func depth() throws {
        let xmlError = try #require(throws: KMIPError.self) { try KMIPXMLDecoder().decode(Self.nested(65, xml: true)) }
        #expect(xmlError.code == .limitExceeded)
        let jsonError = try #require(throws: KMIPError.self) { try KMIPJSONDecoder().decode(Self.nested(65, xml: false)) }
        #expect(jsonError.code == .limitExceeded)
        #expect(throws: Never.self) { try KMIPXMLDecoder().decode(Self.nested(64, xml: true)) }
        #expect(throws: Never.self) { try KMIPJSONDecoder().decode(Self.nested(64, xml: false)) }
        // JSON nesting with no items at all is bounded too.
        let brackets = String(repeating: "[", count: 100_000)
        #expect(throws: KMIPError.self) { try KMIPJSONDecoder().decode(brackets) }
    }

    @Test("huge documents and too many items are refused")
    func size() throws {
        let options = TextDecodingOptions(maximumDocumentSize: 1000, maximumItemCount: 10)
        let big = "<RequestPayload>" + String(repeating: "<BatchCount type=\"Integer\" value=\"1\"/>", count: 40) + "</RequestPayload>"
        #expect(throws: KMIPError(.limitExceeded, "")) { try KMIPXMLDecoder(options: options).decode(big) }
        let many = "<RequestPayload>" + String(repeating: "<BatchCount type=\"Integer\" value=\"1\"/>", count: 12) + "</RequestPayload>"
        #expect(throws: KMIPError(.limitExceeded, "")) { try KMIPXMLDecoder(options: options).decode(many) }
        let manyJSON = "{\"tag\": \"RequestPayload\", \"value\": [" + Array(repeating: "{\"tag\": \"BatchCount\", \"type\": \"Integer\", \"value\": 1}", count: 12).joined(separator: ",") + "]}"
        #expect(throws: KMIPError(.limitExceeded, "")) { try KMIPJSONDecoder(options: options).decode(manyJSON) }
    }
}
