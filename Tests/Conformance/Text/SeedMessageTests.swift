// The original system's own messages and the test case they follow.

import Foundation
import Testing
import KMIPXML

@Suite("The seed system's messages")
struct SeedMessageTests {
    static func xml(_ path: String) throws -> String { try Repository.text(path) }

    @Test("the Create request reads with its custom attribute and usage mask by name")
    func createRequest() throws {
        let message = try KMIPXMLDecoder().decode(try Self.xml("Vectors/seed/create-request.xml"))
        let attributes = try #require(message.child(.batchItem)?.child(.requestPayload)?.child(.templateAttribute)).children(.attribute)
        #expect(attributes.count == 4)
        #expect(attributes[2].child(.attributeValue)?.value == .integer(0x0C))  // "Decrypt Encrypt"
        #expect(attributes[0].child(.attributeValue)?.value == .enumeration(3))  // AES
        #expect(attributes[3].child(.attributeName)?.value == .textString("x-ID"))
        #expect(attributes[3].child(.attributeValue)?.value == .textString("TC-311-12"))
    }

    @Test("the Get response reads with its 128-bit key and zoned time stamp", arguments: ["Vectors/seed/get-response.xml"])
    func getResponse(_ path: String) throws {
        let message = try KMIPXMLDecoder().decode(try Self.xml(path))
        // 2017-01-26T02:37:05-06:00 is 08:37:05 UTC.
        #expect(message.child(.responseHeader)?.child(.timeStamp)?.value == .dateTime(1_485_419_825))
        let key = message.child(.batchItem)?.child(.responsePayload)?.child(.symmetricKey)?.child(.keyBlock)?.child(.keyValue)?.child(.keyMaterial)
        #expect(key?.value == .byteString(try bytes(hex: "9B3674266051C1048FFFE542052A3952")))
    }

    @Test("both convert to TTLV and back to an equal tree, and their XML reads back", arguments: [
        "Vectors/seed/create-request.xml", "Vectors/seed/get-response.xml",
    ])
    func roundTrips(_ path: String) throws {
        let tree = try KMIPXMLDecoder().decode(try Self.xml(path))
        #expect(try TTLVDecoder().decode(try TTLVEncoder().encode(tree)) == tree)
        #expect(try KMIPXMLDecoder().decode(KMIPXMLEncoder().encode(tree)) == tree)
        #expect(try KMIPJSONDecoder().decode(KMIPJSONEncoder().encode(tree)) == tree)
    }

    @Test("TC-311-12, the test case the seed follows, round-trips message by message")
    func testCase31112() throws {
        let testCase = try KMIPTestCase(xml: try Self.xml("Vectors/oasis-xml/1.2/derived-ovh/testcases/TC_311_12_Create_Destroy.xml"))
        #expect(testCase.messages.count == 4)
        #expect(testCase.messages.map(\.isRequest) == [true, false, true, false])
        for message in testCase.messages {
            let tree = try message.binding { .textString($0.text) }
            #expect(try TTLVDecoder().decode(try TTLVEncoder().encode(tree)) == tree)
            #expect(try KMIPTestCase(xml: KMIPTestCase(messages: [message]).xml()).messages == [message])
        }
        let create = testCase.messages[0].item.child(.batchItem)?.child(.requestPayload)?.child(.templateAttribute)
        #expect(create?.children(.attribute).last?.child(.attributeValue)?.value == .textString("TC-311-12"))
    }
}
