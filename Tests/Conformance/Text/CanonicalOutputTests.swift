// The canonical XML and JSON output documented in docs/TextEncodings.md.

import Testing
import KMIPXML

@Suite("Canonical XML and JSON output")
struct CanonicalOutputTests {
    static let sample = KMIPItem(.requestMessage, structure: [
        KMIPItem(.requestHeader, structure: [
            KMIPItem(.protocolVersion, structure: [
                KMIPItem(.protocolVersionMajor, .integer(1)), KMIPItem(.protocolVersionMinor, .integer(4)),
            ]),
            KMIPItem(.timeStamp, .dateTime(978_307_200)),
            KMIPItem(.batchCount, .integer(1)),
        ]),
        KMIPItem(.batchItem, structure: [
            KMIPItem(.operation, .enumeration(1)),
            KMIPItem(.requestPayload, structure: [
                KMIPItem(.objectType, .enumeration(2)),
                KMIPItem(.templateAttribute, structure: [
                    KMIPItem(.attribute, structure: [
                        KMIPItem(.attributeName, .textString("Cryptographic Usage Mask")),
                        KMIPItem(.attributeValue, .integer(0x0C)),
                    ]),
                    KMIPItem(.attribute, structure: [
                        KMIPItem(.attributeName, .textString("Cryptographic Algorithm")),
                        KMIPItem(.attributeValue, .enumeration(0x8000_0001)),
                    ]),
                ]),
                KMIPItem(.keyMaterial, .byteString([0xAB, 0x01])),
                KMIPItem(.publicExponent, .bigInteger(KMIPBigInteger(65537))),
                KMIPItem(Tag(rawValue: 0x54_0001), .textString("a \"quoted\" <value> & more\n")),
                KMIPItem(.lastChangeDate, .dateTimeExtended(978_307_200_000_001)),
                KMIPItem(.usageLimitsTotal, .longInteger(Int64.min)),
                KMIPItem(.sensitive, .boolean(true)),
                KMIPItem(.offset, .interval(27)),
                KMIPItem(.credential, structure: []),
            ]),
        ]),
    ])

    @Test("XML: indentation, names, hex, masks, UTC, escaping")
    func xml() throws {
        let expected = """
            <RequestMessage>
              <RequestHeader>
                <ProtocolVersion>
                  <ProtocolVersionMajor type="Integer" value="1"/>
                  <ProtocolVersionMinor type="Integer" value="4"/>
                </ProtocolVersion>
                <TimeStamp type="DateTime" value="2001-01-01T00:00:00+00:00"/>
                <BatchCount type="Integer" value="1"/>
              </RequestHeader>
              <BatchItem>
                <Operation type="Enumeration" value="Create"/>
                <RequestPayload>
                  <ObjectType type="Enumeration" value="SymmetricKey"/>
                  <TemplateAttribute>
                    <Attribute>
                      <AttributeName type="TextString" value="Cryptographic Usage Mask"/>
                      <AttributeValue type="Integer" value="Encrypt Decrypt"/>
                    </Attribute>
                    <Attribute>
                      <AttributeName type="TextString" value="Cryptographic Algorithm"/>
                      <AttributeValue type="Enumeration" value="0x80000001"/>
                    </Attribute>
                  </TemplateAttribute>
                  <KeyMaterial type="ByteString" value="ab01"/>
                  <PublicExponent type="BigInteger" value="0000000000010001"/>
                  <TTLV tag="0x540001" type="TextString" value="a &quot;quoted&quot; &lt;value&gt; &amp; more&#10;"/>
                  <LastChangeDate type="DateTimeExtended" value="2001-01-01T00:00:00.000001+00:00"/>
                  <UsageLimitsTotal type="LongInteger" value="-9223372036854775808"/>
                  <Sensitive type="Boolean" value="true"/>
                  <Offset type="Interval" value="27"/>
                  <Credential/>
                </RequestPayload>
              </BatchItem>
            </RequestMessage>

            """
        let xml = KMIPXMLEncoder().encode(Self.sample)
        #expect(xml == expected)
        #expect(try KMIPXMLDecoder().decode(xml) == Self.sample)
    }

    @Test("JSON: structures over lines, leaves on one line, numbers, hex beyond 2^53")
    func json() throws {
        let json = KMIPJSONEncoder().encode(Self.sample)
        let lines = json.split(separator: "\n").map(String.init)
        #expect(lines.first == "{\"tag\": \"RequestMessage\", \"value\": [")
        #expect(lines.contains("      {\"tag\": \"ProtocolVersionMajor\", \"type\": \"Integer\", \"value\": 1},"))
        #expect(lines.contains("          {\"tag\": \"AttributeValue\", \"type\": \"Integer\", \"value\": \"Encrypt|Decrypt\"}"))
        #expect(lines.contains("      {\"tag\": \"PublicExponent\", \"type\": \"BigInteger\", \"value\": \"0x0000000000010001\"},"))
        #expect(lines.contains("      {\"tag\": \"0x540001\", \"type\": \"TextString\", \"value\": \"a \\\"quoted\\\" <value> & more\\n\"},"))
        #expect(lines.contains("      {\"tag\": \"UsageLimitsTotal\", \"type\": \"LongInteger\", \"value\": \"0x8000000000000000\"},"))
        #expect(lines.contains("      {\"tag\": \"Credential\", \"value\": []}"))
        #expect(lines.last == "]}")
        #expect(try KMIPJSONDecoder().decode(json) == Self.sample)
    }

    @Test("renamed values are written as the message's version names them")
    func versionNames() throws {
        func message(minor: Int32) -> KMIPItem {
            KMIPItem(.requestMessage, structure: [
                KMIPItem(.requestHeader, structure: [
                    KMIPItem(.protocolVersion, structure: [
                        KMIPItem(.protocolVersionMajor, .integer(minor == 4 ? 1 : 2)), KMIPItem(.protocolVersionMinor, .integer(minor)),
                    ])
                ]),
                KMIPItem(.hashingAlgorithm, .enumeration(0x0F)),
            ])
        }
        #expect(KMIPXMLEncoder().encode(message(minor: 4)).contains("value=\"SHA_3_256\""))
        #expect(KMIPXMLEncoder().encode(message(minor: 0)).contains("value=\"SHA3_256\""))
        #expect(try KMIPXMLDecoder().decode(KMIPXMLEncoder().encode(message(minor: 4))) == message(minor: 4))
    }
}

@Suite("Test-case documents and placeholders")
struct TestCaseDocumentTests {
    static let path = "Vectors/oasis-xml/1.4/mandatory/AX-M-1-14.xml"

    @Test("placeholders are kept as symbols with their type and place")
    func placeholders() throws {
        let testCase = try KMIPTestCase(xml: try Repository.text(Self.path))
        let all = testCase.messages.flatMap(\.placeholders)
        #expect(all.contains { $0.text == "$UNIQUE_IDENTIFIER_0" && $0.itemType == .textString })
        #expect(all.contains { $0.name == "NOW" && $0.offset < 0 && $0.itemType == .dateTime })
        // The XML written back holds the same symbols in the same places.
        let again = try KMIPTestCase(xml: testCase.xml())
        #expect(again == testCase)
        #expect(try KMIPTestCase(json: testCase.json()) == testCase)
    }

    @Test("names and offsets of placeholders")
    func parts() {
        let now = KMIPTestCase.Placeholder(text: "$NOW-3600", itemType: .dateTime, path: [0])
        #expect(now.name == "NOW")
        #expect(now.offset == -3600)
        let later = KMIPTestCase.Placeholder(text: "$NOW+20", itemType: .dateTime, path: [0])
        #expect(later.offset == 20)
        let identifier = KMIPTestCase.Placeholder(text: "$UNIQUE_IDENTIFIER_3", itemType: .textString, path: [0])
        #expect(identifier.name == "UNIQUE_IDENTIFIER_3")
        #expect(identifier.offset == 0)
    }

    @Test("binding puts values of the right type in place and refuses others")
    func binding() throws {
        let xml = """
            <KMIP>
            <RequestMessage>
              <RequestPayload>
                <UniqueIdentifier type="TextString" value="$UNIQUE_IDENTIFIER_0"/>
                <ActivationDate type="DateTime" value="$NOW-3600"/>
              </RequestPayload>
            </RequestMessage>
            </KMIP>
            """
        let message = try #require(try KMIPTestCase(xml: xml).messages.first)
        #expect(message.placeholders.map(\.path) == [[0, 0], [0, 1]])
        let bound = try message.binding { placeholder in
            placeholder.itemType == .dateTime ? .dateTime(10_000 + placeholder.offset) : .textString("42")
        }
        #expect(bound.child(.requestPayload)?.children == [
            KMIPItem(.uniqueIdentifier, .textString("42")), KMIPItem(.activationDate, .dateTime(6400)),
        ])
        let error = try #require(throws: KMIPError.self) { try message.binding { _ in .integer(1) } }
        #expect(error.code == .invalidValue)
    }
}
