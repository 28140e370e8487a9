// Attributes accessors, redaction of secrets, tolerant and strict decoding, error paths.

import Testing
import KMIP

@Suite("Typed models: attributes, secrets, decoding errors")
struct ModelBehaviourTests {
    @Test("typed accessors set, read, replace and remove attributes in order")
    func accessors() throws {
        var attributes = Attributes()
        attributes.cryptographicAlgorithm = .aes
        attributes.objectGroups = ["camera", "clips"]
        attributes.cryptographicLength = 256
        #expect(attributes.map(\.name) == [.cryptographicAlgorithm, .objectGroup, .objectGroup, .cryptographicLength])
        attributes.cryptographicAlgorithm = .chaCha20
        #expect(attributes.first?.name == .cryptographicAlgorithm)
        #expect(attributes.cryptographicAlgorithm == .chaCha20)
        #expect(attributes.objectGroups == ["camera", "clips"])
        attributes.objectGroups = []
        #expect(attributes.count == 2)
        attributes.cryptographicLength = nil
        #expect(attributes.count == 1)
        #expect(attributes.state == nil)
        // A value of the wrong shape reads as absent through the accessor, as an error by name.
        attributes.append(Attribute(name: .state, value: .textString("active")))
        #expect(attributes.state == nil)
        #expect(throws: KMIPError.self) { try attributes.value(State.self, of: .state) }
    }

    @Test("custom (x-) attributes of any item type round-trip through 1.x and 2.x")
    func customAttributes() throws {
        var attributes = Attributes()
        attributes.append(try Attribute(name: "x-Frames", Int64(1_000_000)))
        attributes.append(try Attribute(name: AttributeName(vendorIdentification: "ACME", name: "Zone"), "north"))
        for version in [KMIPVersion.v1_1, .v2_0] {
            let create = CreateRequest(objectType: .symmetricKey, attributes: attributes)
            let tree = try create.kmipItem(tag: .requestPayload, context: KMIPEncodingContext(version: version))
            let back = try CreateRequest(kmipItem: tree, context: .strict)
            #expect(try back.attributes.value(Int64.self, of: "x-Frames") == 1_000_000)
            #expect(back.attributes.count == 2)
        }
    }

    @Test("key material and passwords never appear in descriptions")
    func redaction() throws {
        let key: [UInt8] = Array(repeating: 0xAB, count: 32)
        let response = GetResponse(
            objectType: .symmetricKey, uniqueIdentifier: "7", object: .symmetricKey(SymmetricKey(keyBlock: .raw(key, algorithm: .aes))))
        for text in [String(describing: response), String(reflecting: response), "\(response.object)"] {
            #expect(!text.lowercased().contains("abababab"), "\(text)")
            #expect(!text.contains("171, 171"), "\(text)")
        }
        #expect(String(describing: response.object).contains("redacted"))
        var dumped = ""
        dump(response, to: &dumped)
        #expect(!dumped.contains("171"), "\(dumped)")

        let credential = Credential.username("camera", password: "hunter2")
        #expect(!String(describing: credential).contains("hunter2"))
        #expect(!String(reflecting: RequestHeader(protocolVersion: .v1_4, authentication: Authentication(credentials: [credential]))).contains("hunter2"))
        // Generated models that hold secrets redact them too.
        let encrypt = EncryptRequest(uniqueIdentifier: "1", data: Array("top secret clip".utf8))
        for text in [String(describing: encrypt), String(reflecting: encrypt)] {
            #expect(!text.contains("top secret") && !text.contains("116, 111, 112"), "\(text)")
            #expect(text.contains("redacted"))
        }
        #expect(!String(describing: UsernameAndPasswordCredential(username: "camera", password: "hunter2")).contains("hunter2"))
        // Explicitly asked for, the tree shows it.
        let tree = try credential.kmipItem(tag: .credential, context: KMIPEncodingContext(version: .v1_4))
        #expect(tree.dump(revealingSecrets: true).contains("hunter2"))
    }

    @Test("strict decoding rejects items a model does not define; tolerant decoding skips them")
    func strictAndTolerant() throws {
        let tree = KMIPItem(.requestPayload, structure: [
            KMIPItem(.uniqueIdentifier, .textString("1")),
            KMIPItem(Tag(rawValue: 0x540001), .textString("vendor")),
        ])
        let error = #expect(throws: KMIPError.self) { try GetRequest(kmipItem: tree, context: .strict) }
        #expect(error?.code == .unexpectedItem)
        #expect(error?.tagPath == [Tag(rawValue: 0x540001)])
        #expect(try GetRequest(kmipItem: tree, context: .tolerant).uniqueIdentifier == "1")
        // Tolerant decoding also skips unknown items in front of known fields.
        let vendorFirst = KMIPItem(.requestPayload, structure: [
            KMIPItem(Tag(rawValue: 0x540001), .textString("vendor")),
            KMIPItem(.uniqueIdentifier, .textString("1")),
            KMIPItem(.keyFormatType, .enumeration(KeyFormatType.raw.rawValue)),
        ])
        let tolerant = try GetRequest(kmipItem: vendorFirst, context: .tolerant)
        #expect(tolerant.uniqueIdentifier == "1" && tolerant.keyFormatType == .raw)
        #expect(throws: KMIPError.self) { try GetRequest(kmipItem: vendorFirst, context: .strict) }
    }

    @Test("a wrong item deep in a response names its tag path")
    func errorPath() throws {
        let wire = try bytes(hex: Repository.text("Vectors/pykmip/02-get.response.hex"))
        var tree = try TTLVDecoder().decode(wire)
        // Replace the Key Format Type (an Enumeration) with a Text String.
        func rewrite(_ item: inout KMIPItem) {
            if item.tag == .keyFormatType { item.value = .textString("Raw"); return }
            guard case .structure(var children) = item.value else { return }
            for index in children.indices { rewrite(&children[index]) }
            item.value = .structure(children)
        }
        rewrite(&tree)
        let error = #expect(throws: KMIPError.self) { try ResponseMessage(tree: tree) }
        #expect(error?.code == .invalidValue)
        #expect(error?.tagPath == [.responseMessage, .batchItem, .responsePayload, .symmetricKey, .keyBlock, .keyFormatType])
    }

    @Test("a response without Operation (PyKMIP's answer to a message it cannot parse) decodes")
    func responseWithoutOperation() throws {
        let tree = KMIPItem(.responseMessage, structure: [
            KMIPItem(.responseHeader, structure: [
                try KMIPVersion.v1_0.kmipItem(tag: .protocolVersion, context: KMIPEncodingContext(version: .v1_0)),
                KMIPItem(.timeStamp, .dateTime(1_795_664_467)),
                KMIPItem(.batchCount, .integer(1)),
            ]),
            KMIPItem(.batchItem, structure: [
                KMIPItem(.resultStatus, .enumeration(ResultStatus.operationFailed.rawValue)),
                KMIPItem(.resultReason, .enumeration(ResultReason.invalidMessage.rawValue)),
                KMIPItem(.resultMessage, .textString("Error parsing request")),
            ]),
        ])
        let message = try ResponseMessage(tree: tree, context: .strict)
        #expect(message.batchItems.first?.operation == nil)
        #expect(message.batchItems.first?.resultReason == .invalidMessage)
        #expect(try message.tree() == tree)
    }

    @Test("an unknown (vendor) operation's payload stays a raw tree and round-trips")
    func vendorOperation() throws {
        let payload = KMIPItem(.requestPayload, structure: [KMIPItem(Tag(rawValue: 0x540010), .integer(7))])
        let item = RequestBatchItem(operation: Operation(rawValue: 0x8000_0001), payload: .raw(payload))
        let message = RequestMessage(header: RequestHeader(protocolVersion: .v2_1), batchItems: [item])
        let back = try RequestMessage(ttlv: message.ttlvBytes(), context: .strict)
        #expect(back.batchItems.first?.payload == .raw(payload))
        #expect(back.batchItems.first?.operation.description == "0x80000001")
    }
}
