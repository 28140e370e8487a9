// The JSON and XML examples of KMIP Additional Message Encodings v1.0 (§4.1.6, §6.1.6).

import Foundation
import Testing
import KMIPXML

@Suite("Examples of the Additional Message Encodings document")
struct EncodingsDocumentExamplesTests {
    struct Example: Sendable, CustomTestStringConvertible {
        var id: String
        var section: String
        var text: String
        var testDescription: String { "\(id) (\(section))" }
    }

    static func examples(_ file: String) -> [Example] {
        guard let text = try? Repository.text("Vectors/json/\(file)") else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Example(id: object["id"] as! String, section: object["section"] as! String, text: object["normalized"] as! String)
        }
    }

    static let jsonExamples = examples("addtl-msg-enc-v1.0-json-examples.jsonl")
    static let xmlExamples = examples("addtl-msg-enc-v1.0-xml-examples.jsonl")

    /// The document's "well known extension" name, registered as a vendor would.
    static let options: TextDecodingOptions = {
        var registry = KMIPRegistry.standard
        registry.register(TagDefinition(
            tag: Tag(rawValue: 0x54_5352), name: "WELL_KNOWN_EXTENSION", xmlName: "WELL_KNOWN_EXTENSION", itemTypes: [.textString], versions: .all))
        return TextDecodingOptions(registry: registry)
    }()

    static let activation = KMIPItem(.activationDate, .dateTime(978_307_200))  // 2001-01-01T10:00:00+10:00
    static let protocolVersion = KMIPItem(.protocolVersion, structure: [
        // The document repeats ProtocolVersionMajor where Minor is meant (a typo, kept).
        KMIPItem(.protocolVersionMajor, .integer(1)), KMIPItem(.protocolVersionMajor, .integer(0)),
    ])
    static let protocolVersionXML = KMIPItem(.protocolVersion, structure: [
        KMIPItem(.protocolVersionMajor, .integer(1)), KMIPItem(.protocolVersionMinor, .integer(0)),
    ])
    static let mask = KMIPItem(.cryptographicUsageMask, .integer(0x100C))
    static let extensionText = KMIPItem(Tag(rawValue: 0x54_5352), .textString("This is an extension"))

    /// What each example describes.
    static let expected: [String: KMIPItem] = [
        "ame-json-01": activation, "ame-json-02": KMIPItem(Tag(rawValue: 0x54_FFFF), .integer(1)),
        "ame-json-03": activation, "ame-json-04": activation,
        "ame-json-05": KMIPItem(.ivCounterNonce, .byteString([0xA1, 0xB2, 0xC3, 0xD4])),
        "ame-json-06": KMIPItem(.privateKeyTemplateAttribute, structure: []),
        "ame-json-07": extensionText, "ame-json-08": extensionText,
        "ame-json-09": protocolVersion, "ame-json-10": protocolVersion,
        "ame-json-11": KMIPItem(.batchCount, .integer(10)), "ame-json-12": KMIPItem(.batchCount, .integer(10)),
        "ame-json-13": mask, "ame-json-14": mask, "ame-json-15": mask, "ame-json-16": mask,
        "ame-json-17": KMIPItem(Tag(rawValue: 0x54_0001), .longInteger(-2)), "ame-json-18": KMIPItem(Tag(rawValue: 0x54_0001), .longInteger(-2)),
        "ame-json-19": KMIPItem(.usageLimitsCount, .longInteger(0x1000_0000_0000_0000)),
        "ame-json-20": KMIPItem(.x, .bigInteger(KMIPBigInteger(0))), "ame-json-21": KMIPItem(.x, .bigInteger(KMIPBigInteger(0))),
        "ame-json-22": KMIPItem(.objectType, .enumeration(2)), "ame-json-23": KMIPItem(.objectType, .enumeration(2)),
        "ame-json-24": KMIPItem(.objectType, .enumeration(2)),
        "ame-json-25": KMIPItem(.batchOrderOption, .boolean(true)), "ame-json-26": KMIPItem(.batchOrderOption, .boolean(true)),
        "ame-json-27": KMIPItem(.attributeName, .textString("Cryptographic Algorithm")),
        "ame-json-28": KMIPItem(.macSignature, .byteString([0xC5, 0x0F, 0x77])),
        "ame-json-29": KMIPItem(.archiveDate, .dateTime(0x3A50_5520)),
        "ame-json-30": KMIPItem(.archiveDate, .dateTime(978_307_200)),
        "ame-json-31": KMIPItem(.offset, .interval(27)), "ame-json-32": KMIPItem(.offset, .interval(27)),

        "ame-xml-01": activation, "ame-xml-02": activation, "ame-xml-03": activation,
        "ame-xml-04": KMIPItem(Tag(rawValue: 0x54_FFFF), .dateTime(978_307_200)), "ame-xml-05": activation,
        "ame-xml-06": KMIPItem(.ivCounterNonce, .byteString([0xA1, 0xB2, 0xC3, 0xD4])),
        "ame-xml-07": KMIPItem(.privateKeyTemplateAttribute, structure: []),
        "ame-xml-08": extensionText, "ame-xml-09": extensionText,
        "ame-xml-10": protocolVersionXML, "ame-xml-11": protocolVersionXML,
        "ame-xml-12": KMIPItem(.batchCount, .integer(10)),
        "ame-xml-13": mask, "ame-xml-14": mask, "ame-xml-15": mask, "ame-xml-16": mask,
        "ame-xml-17": KMIPItem(Tag(rawValue: 0x54_0001), .longInteger(-2)),
        "ame-xml-18": KMIPItem(.usageLimitsCount, .longInteger(1_152_921_504_606_846_976)),
        "ame-xml-19": KMIPItem(.x, .bigInteger(KMIPBigInteger(0))),
        "ame-xml-20": KMIPItem(.objectType, .enumeration(2)), "ame-xml-21": KMIPItem(.objectType, .enumeration(2)),
        "ame-xml-23": KMIPItem(.attributeName, .textString("Cryptographic Algorithm")),
        "ame-xml-24": KMIPItem(.macSignature, .byteString([0xC5, 0x0F, 0x77])),
        "ame-xml-25": KMIPItem(.archiveDate, .dateTime(978_307_200)),
        "ame-xml-26": KMIPItem(.offset, .interval(27)),
    ]

    @Test("32 JSON and 26 XML examples")
    func counts() {
        #expect(Self.jsonExamples.count == 32)
        #expect(Self.xmlExamples.count == 26)
    }

    @Test("each JSON example parses to the tree it describes and round-trips", arguments: jsonExamples)
    func json(_ example: Example) throws {
        let item = try KMIPJSONDecoder(options: Self.options).decode(example.text)
        #expect(item == Self.expected[example.id])
        let encoder = KMIPJSONEncoder(registry: Self.options.registry)
        #expect(try KMIPJSONDecoder(options: Self.options).decode(encoder.encode(item)) == item)
    }

    @Test("each XML example parses to the tree it describes and round-trips", arguments: xmlExamples.filter { $0.id != "ame-xml-22" })
    func xml(_ example: Example) throws {
        let item = try KMIPXMLDecoder(options: Self.options).decode(example.text)
        #expect(item == Self.expected[example.id])
        let encoder = KMIPXMLEncoder(registry: Self.options.registry)
        #expect(try KMIPXMLDecoder(options: Self.options).decode(encoder.encode(item)) == item)
    }

    @Test("the Boolean example, broken in the document (type=Boolean \"), is refused as not well-formed")
    func brokenBoolean() throws {
        let example = try #require(Self.xmlExamples.first { $0.id == "ame-xml-22" })
        let error = try #require(throws: KMIPError.self) { try KMIPXMLDecoder().decode(example.text) }
        #expect(error.code == .malformedInput)
        #expect(error.line == 1)
    }
}
