// The code of the DocC article "Building the original system's messages by hand"
// (Sources/KMIP/Docs.docc/BuildingMessages.md): it must produce the seed system's messages.

import Testing
import KMIP

@Suite("The seed system's messages, built from typed values")
struct SeedTypedTests {
    @Test("the Create request built by hand equals the seed document")
    func createRequest() throws {
        // From the article.
        var attributes = Attributes()
        attributes.cryptographicAlgorithm = .aes
        attributes.cryptographicLength = 128
        attributes.cryptographicUsageMask = [.decrypt, .encrypt]
        attributes.append(try Attribute(name: "x-ID", "TC-311-12"))
        let create = RequestMessage(
            protocolVersion: .v1_2,
            payload: CreateRequest(objectType: .symmetricKey, attributes: attributes))
        let xml = KMIPXMLEncoder().encode(try create.tree())
        let bytes = try create.ttlvBytes()

        let seed = try KMIPXMLDecoder().decode(try Repository.text("Vectors/seed/create-request.xml"))
        #expect(try create.tree() == seed)
        #expect(try KMIPXMLDecoder().decode(xml) == seed)
        #expect(try RequestMessage(ttlv: bytes) == create)
    }

    @Test("the Get response reads into typed values and is rebuilt from them")
    func getResponse() throws {
        let seed = try KMIPXMLDecoder().decode(try Repository.text("Vectors/seed/get-response.xml"))
        // From the article.
        let response = try ResponseMessage(tree: seed)
        let item = try #require(response.batchItems.first)
        #expect(item.resultStatus == .success)
        let get = try #require(item.payload(as: GetResponse.self))
        let key = try #require(get.object.keyBlock?.keyBytes)
        #expect(get.uniqueIdentifier == "KEY-74fd8d6-3f0435e5-9857-4a18-847b-f1306ce8595b")
        #expect(key.count == 16)

        let rebuilt = ResponseMessage(
            header: ResponseHeader(protocolVersion: .v1_2, timeStamp: KMIPDateTime(secondsSince1970: 1_485_419_825)),
            batchItems: [ResponseBatchItem(GetResponse(
                objectType: .symmetricKey,
                uniqueIdentifier: "KEY-74fd8d6-3f0435e5-9857-4a18-847b-f1306ce8595b",
                object: .symmetricKey(SymmetricKey(keyBlock: .raw(key, algorithm: .aes))))),
            ])
        #expect(try rebuilt.tree() == seed)
    }
}
