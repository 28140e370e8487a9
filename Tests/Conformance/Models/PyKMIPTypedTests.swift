// PyKMIP's real messages, decoded into typed messages and encoded back byte for byte; and the
// same messages built from values.

import Foundation
import Testing
import KMIP

@Suite("PyKMIP captures, typed")
struct PyKMIPTypedTests {
    static func capture(_ name: String) throws -> [UInt8] {
        try bytes(hex: Repository.text("Vectors/pykmip/\(name).hex"))
    }

    @Test("decodes strictly into typed messages and encodes back byte for byte", arguments: PyKMIPCaptureTests.captures)
    func typedRoundTrip(_ file: String) throws {
        let name = String(file.dropLast(4))
        let wire = try Self.capture(name)
        if name.hasSuffix(".request") {
            let message = try RequestMessage(ttlv: wire, context: .strict)
            for item in message.batchItems { #expect(item.payload.typed != nil, "\(item.operation) decoded raw") }
            #expect(try message.ttlvBytes() == wire)
        } else {
            let message = try ResponseMessage(ttlv: wire, context: .strict)
            for item in message.batchItems where item.payload != nil {
                #expect(item.payload?.typed != nil, "\(String(describing: item.operation)) decoded raw")
            }
            #expect(try message.ttlvBytes() == wire)
        }
    }

    // MARK: - Built from values

    static let name = Name(nameValue: "capture-1795664467", nameType: .uninterpretedTextString)
    static let timeStamp = KMIPDateTime(secondsSince1970: 1_795_664_467)

    static func aes256Attributes() -> Attributes {
        var attributes = Attributes()
        attributes.cryptographicAlgorithm = .aes
        attributes.cryptographicLength = 256
        attributes.cryptographicUsageMask = [.encrypt, .decrypt]
        attributes.names = [name]
        return attributes
    }

    @Test("Create (KMIP 1.2): request and response from values equal the capture")
    func create() throws {
        let request = RequestMessage(
            protocolVersion: .v1_2, payload: CreateRequest(objectType: .symmetricKey, attributes: Self.aes256Attributes()))
        #expect(try request.ttlvBytes() == Self.capture("01-create-aes256.request"))
        let response = ResponseMessage(
            header: ResponseHeader(protocolVersion: .v1_2, timeStamp: Self.timeStamp),
            batchItems: [ResponseBatchItem(CreateResponse(objectType: .symmetricKey, uniqueIdentifier: "195"))])
        #expect(try response.ttlvBytes() == Self.capture("01-create-aes256.response"))
    }

    @Test("Create (KMIP 2.0): the same attributes travel in an Attributes structure")
    func createVersion2() throws {
        let request = RequestMessage(
            protocolVersion: .v2_0, payload: CreateRequest(objectType: .symmetricKey, attributes: Self.aes256Attributes()))
        let expected = try RequestMessage(ttlv: Self.capture("09-create-aes256-kmip20.request"))
        let payload = try #require(expected.batchItems.first?.payload.typed as? CreateRequest)
        // Same attributes apart from the name, which the capture chose at run time.
        var attributes = Self.aes256Attributes()
        attributes.names = payload.attributes.names
        let rebuilt = RequestMessage(protocolVersion: .v2_0, payload: CreateRequest(objectType: .symmetricKey, attributes: attributes))
        #expect(try rebuilt.ttlvBytes() == Self.capture("09-create-aes256-kmip20.request"))
        #expect(try request.tree().child(.batchItem)?.child(.requestPayload)?.child(.attributes) != nil)
        #expect(try request.tree().child(.batchItem)?.child(.requestPayload)?.child(.templateAttribute) == nil)
    }

    @Test("Get (KMIP 1.2): request and response from values equal the capture; the key reads back")
    func get() throws {
        let request = RequestMessage(protocolVersion: .v1_2, payload: GetRequest(uniqueIdentifier: "195"))
        #expect(try request.ttlvBytes() == Self.capture("02-get.request"))

        let captured = try ResponseMessage(ttlv: Self.capture("02-get.response"))
        let get = try #require(captured.batchItems.first?.payload(as: GetResponse.self))
        let key = try #require(get.object.keyBlock?.keyBytes)
        #expect(key.count == 32)
        let response = ResponseMessage(
            header: ResponseHeader(protocolVersion: .v1_2, timeStamp: Self.timeStamp),
            batchItems: [ResponseBatchItem(GetResponse(
                objectType: .symmetricKey, uniqueIdentifier: "195",
                object: .symmetricKey(SymmetricKey(keyBlock: .raw(key, algorithm: .aes)))))])
        #expect(try response.ttlvBytes() == Self.capture("02-get.response"))
    }

    @Test("Locate, Destroy, Discover Versions (KMIP 1.2) from values equal the captures")
    func locateDestroyDiscover() throws {
        let locate = try RequestMessage(ttlv: Self.capture("03-locate.request"))
        let locatePayload = try #require(locate.batchItems.first?.payload.typed as? LocateRequest)
        let nameText = try #require(locatePayload.attributes?.names.first?.nameValue)
        var filter = Attributes()
        filter.names = [Name(nameValue: nameText, nameType: .uninterpretedTextString)]
        #expect(try RequestMessage(protocolVersion: .v1_2, payload: LocateRequest(attributes: filter)).ttlvBytes() == Self.capture("03-locate.request"))

        let located = try ResponseMessage(ttlv: Self.capture("03-locate.response"))
        let identifiers = try #require(located.batchItems.first?.payload(as: LocateResponse.self)?.uniqueIdentifiers)
        #expect(identifiers.count == 1)

        let destroy = RequestMessage(protocolVersion: .v1_2, payload: DestroyRequest(uniqueIdentifier: identifiers[0]))
        #expect(try destroy.ttlvBytes() == Self.capture("05-destroy.request"))

        #expect(try RequestMessage(protocolVersion: .v1_2, payload: DiscoverVersionsRequest()).ttlvBytes() == Self.capture("07-discover-versions.request"))
        let versions = try ResponseMessage(ttlv: Self.capture("07-discover-versions.response"))
            .batchItems.first?.payload(as: DiscoverVersionsResponse.self)?.protocolVersions
        #expect(versions == [.v2_0, .v1_4, .v1_3, .v1_2, .v1_1, .v1_0])
    }

    @Test("Query (KMIP 1.2) from values equals the capture; the response reads as typed lists")
    func query() throws {
        let request = RequestMessage(
            protocolVersion: .v1_2, payload: QueryRequest(queryFunctions: [.queryOperations, .queryObjects, .queryServerInformation]))
        #expect(try request.ttlvBytes() == Self.capture("04-query.request"))
        let response = try ResponseMessage(ttlv: Self.capture("04-query.response"))
        let query = try #require(response.batchItems.first?.payload(as: QueryResponse.self))
        #expect(query.operations.count == 18)
        #expect(query.operations.contains(.create) && query.operations.contains(.get))
        #expect(query.vendorIdentification == "PyKMIP 0.11.0 Software Server")
    }

    @Test("a failed Get reads as status, reason and message with no payload")
    func failure() throws {
        let response = try ResponseMessage(ttlv: Self.capture("06-get-not-found.response"))
        let item = try #require(response.batchItems.first)
        #expect(item.resultStatus == .operationFailed)
        #expect(item.resultReason == .itemNotFound)
        #expect(item.resultMessage?.isEmpty == false)
        #expect(item.payload == nil)
    }

    @Test("a batch of Create then Get (ID Placeholder) from values equals the capture")
    func batch() throws {
        let captured = try RequestMessage(ttlv: Self.capture("08-batch-create-get.request"))
        let create = try #require(captured.batchItems.first?.payload.typed as? CreateRequest)
        let request = RequestMessage(
            header: RequestHeader(protocolVersion: .v1_2),
            batchItems: [
                RequestBatchItem(CreateRequest(objectType: .symmetricKey, attributes: create.attributes), uniqueBatchItemID: [0x01]),
                RequestBatchItem(GetRequest(), uniqueBatchItemID: [0x02]),
            ])
        #expect(try request.ttlvBytes() == Self.capture("08-batch-create-get.request"))
        let response = try ResponseMessage(ttlv: Self.capture("08-batch-create-get.response"))
        #expect(response.batchItems.map(\.uniqueBatchItemID) == [[0x01], [0x02]])
        #expect(response.batchItems[1].payload(as: GetResponse.self)?.object.keyBlock?.keyBytes?.count == 32)
    }
}
