// The same typed request encodes to the wire form of each protocol version, as the specification
// says; what a version lacks is an error before anything is sent.

import Testing
import KMIP

@Suite("One typed request, the wire form of each version")
struct VersionFormTests {
    static func aesAttributes() -> Attributes {
        var attributes = Attributes()
        attributes.cryptographicAlgorithm = .aes
        attributes.cryptographicLength = 128
        attributes.names = [Name(nameValue: "clip-key", nameType: .uninterpretedTextString)]
        attributes.append(try! Attribute(name: "x-Camera", "pi-01"))
        return attributes
    }

    static func payloadTree(_ payload: some KMIPRequestPayload, _ version: KMIPVersion) throws -> KMIPItem {
        try RequestMessage(protocolVersion: version, payload: payload).tree().child(.batchItem)!.child(.requestPayload)!
    }

    @Test("Create: Template-Attribute with named Attributes in 1.x, an Attributes structure of tagged items in 2.x")
    func createAttributes() throws {
        let create = CreateRequest(objectType: .symmetricKey, attributes: Self.aesAttributes())
        let v14 = try Self.payloadTree(create, .v1_4)
        let template = try #require(v14.child(.templateAttribute))
        #expect(v14.child(.attributes) == nil)
        let attributes = template.children(.attribute)
        #expect(attributes.map { $0.child(.attributeName)?.value } == [
            .textString("Cryptographic Algorithm"), .textString("Cryptographic Length"), .textString("Name"), .textString("x-Camera"),
        ])
        #expect(attributes[0].child(.attributeValue)?.value == .enumeration(CryptographicAlgorithm.aes.rawValue))
        #expect(attributes[2].child(.attributeValue)?.child(.nameValue)?.value == .textString("clip-key"))

        let v20 = try Self.payloadTree(create, .v2_0)
        let list = try #require(v20.child(.attributes)?.children)
        #expect(v20.child(.templateAttribute) == nil)
        #expect(list.map(\.tag) == [.cryptographicAlgorithm, .cryptographicLength, .name, .attribute])
        #expect(list[0].value == .enumeration(CryptographicAlgorithm.aes.rawValue))
        // x-Camera becomes a Vendor Attribute: Vendor Identification "x", Attribute Name "Camera".
        #expect(list[3].child(.vendorIdentification)?.value == .textString("x"))
        #expect(list[3].child(.attributeName)?.value == .textString("Camera"))
        #expect(list[3].child(.attributeValue)?.value == .textString("pi-01"))

        // Both forms decode to the same public model.
        let back14 = try CreateRequest(kmipItem: v14, context: .strict)
        let back20 = try CreateRequest(kmipItem: v20, context: .strict)
        #expect(back14 == create)
        #expect(back20 == create)
        #expect(back20.attributes.all("x-Camera").count == 1)
    }

    @Test("Get Attributes: Attribute Name text in 1.x, Attribute Reference by tag (or vendor structure) in 2.x")
    func attributeReferences() throws {
        let request = GetAttributesRequest(uniqueIdentifier: "42", attributeNames: [.state, "x-Camera"])
        let v12 = try Self.payloadTree(request, .v1_2)
        #expect(v12.children(.attributeName).map(\.value) == [.textString("State"), .textString("x-Camera")])
        let v21 = try Self.payloadTree(request, .v2_1)
        let references = v21.children(.attributeReference)
        #expect(references.first?.value == .enumeration(Tag.state.rawValue))
        #expect(references.last?.child(.vendorIdentification)?.value == .textString("x"))
        #expect(try GetAttributesRequest(kmipItem: v21, context: .strict) == request)
    }

    @Test("Add Attribute: Attribute in 1.x, New Attribute holding the tagged attribute in 2.x")
    func addAttribute() throws {
        let add = AddAttributeRequest(uniqueIdentifier: "42", attribute: try Attribute(name: .objectGroup, "camera"))
        let v13 = try Self.payloadTree(add, .v1_3)
        #expect(v13.child(.attribute)?.child(.attributeName)?.value == .textString("Object Group"))
        let v20 = try Self.payloadTree(add, .v2_0)
        #expect(v20.child(.newAttribute)?.child(.objectGroup)?.value == .textString("camera"))
    }

    @Test("Unique Identifier: only text in 1.x; the ID Placeholder enumeration and the batch index exist in 2.x")
    func uniqueIdentifierForms() throws {
        let get = GetRequest(uniqueIdentifier: .idPlaceholder)
        let v20 = try Self.payloadTree(get, .v2_0)
        #expect(v20.child(.uniqueIdentifier)?.value == .enumeration(UniqueIdentifierEnumeration.idPlaceholder.rawValue))
        #expect(try Self.payloadTree(GetRequest(uniqueIdentifier: .index(2)), .v2_1).child(.uniqueIdentifier)?.value == .integer(2))
        let error = #expect(throws: KMIPError.self) { try Self.payloadTree(get, .v1_4) }
        #expect(error?.code == .unsupportedInVersion)
        #expect(error?.tagPath == [.requestMessage, .batchItem, .requestPayload, .uniqueIdentifier])
    }

    @Test("a field or operation the version lacks is an error naming it")
    func unsupported() throws {
        // Key Wrap Type joined Get in 1.4.
        let wrapped = GetRequest(uniqueIdentifier: "1", keyWrapType: .asRegistered)
        #expect(try Self.payloadTree(wrapped, .v1_4).child(.keyWrapType) != nil)
        let error = #expect(throws: KMIPError.self) { try Self.payloadTree(wrapped, .v1_0) }
        #expect(error?.code == .unsupportedInVersion)
        #expect(error?.reason.contains("Key Wrap Type") == true)
        #expect(error?.reason.contains("1.0") == true)

        // Log exists from 2.0 on.
        let log = #expect(throws: KMIPError.self) { try Self.payloadTree(LogRequest(logMessage: "hello"), .v1_4) }
        #expect(log?.code == .unsupportedInVersion)
        #expect(log?.tagPath.last == .operation)

        // Protection Storage Masks exist from 2.0 on.
        let masks = CreateRequest(objectType: .symmetricKey, attributes: Self.aesAttributes(), protectionStorageMasks: [[.software]])
        #expect(throws: KMIPError.self) { try Self.payloadTree(masks, .v1_3) }
        #expect(try Self.payloadTree(masks, .v2_0).child(.protectionStorageMasks) != nil)
    }

    @Test("a missing required field is an error before anything is sent")
    func missingRequired() throws {
        // Create requires its attributes' container; Certify 1.0 requires the certificate request.
        let error = #expect(throws: KMIPError.self) {
            try Self.payloadTree(CertifyRequest(uniqueIdentifier: "1", certificateRequestType: .pem), .v1_0)
        }
        #expect(error?.code == .missingField)
        #expect(error?.tagPath.last == .certificateRequest)
    }

    @Test("Asynchronous Indicator: a Boolean in 1.x, an enumeration in 2.x")
    func asynchronousIndicator() throws {
        var message = RequestMessage(protocolVersion: .v1_0, payload: LocateRequest())
        message.header.asynchronousIndicator = .optional
        #expect(try message.tree().child(.requestHeader)?.child(.asynchronousIndicator)?.value == .boolean(true))
        message.header.protocolVersion = .v2_0
        #expect(
            try message.tree().child(.requestHeader)?.child(.asynchronousIndicator)?.value
                == .enumeration(AsynchronousIndicator.optional.rawValue))
    }
}
