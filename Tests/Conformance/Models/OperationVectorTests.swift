// Typed payloads built from values compare equal, as values and as trees, to the payloads of
// OASIS test-case messages (placeholders bound to values of their type: `$UNIQUE_IDENTIFIER_0`
// reads as that text, `$NOW` as 2026-01-01T00:00:00Z).

import Foundation
import Testing
import KMIP
import KMIPVectorCheck

/// The batch item `batch` (1-based) of message `message` (1-based) of a vector file.
private func vectorItem(_ file: String, message: Int, batch: Int = 1) throws -> (tree: KMIPItem, version: KMIPVersion) {
    let data = try [UInt8](Data(contentsOf: Repository.url("Vectors/oasis-xml/" + file)))
    let testCase = try KMIPTestCase(xml: data)
    let tree = try testCase.messages[message - 1].binding(PlaceholderValues.sample(for:))
    let item = tree.children(.batchItem)[batch - 1]
    return (item, try #require(tree.protocolVersion))
}

/// Checks that `built` is the request payload of the vector's batch item, as a value and as a tree.
private func expectRequest(_ built: some KMIPRequestPayload, _ file: String, message: Int, batch: Int = 1, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let (item, version) = try vectorItem(file, message: message, batch: batch)
    let vector = try RequestBatchItem(kmipItem: item, context: .strict)
    #expect(vector.operation == type(of: built).operation, sourceLocation: sourceLocation)
    #expect(vector.payload == RequestPayload(built), sourceLocation: sourceLocation)
    let tree = try built.kmipItem(tag: .requestPayload, context: KMIPEncodingContext(version: version))
    #expect(tree == item.child(.requestPayload), sourceLocation: sourceLocation)
}

/// Checks that `built` is the response payload of the vector's batch item.
private func expectResponse(_ built: some KMIPResponsePayload, _ file: String, message: Int, batch: Int = 1, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let (item, version) = try vectorItem(file, message: message, batch: batch)
    let vector = try ResponseBatchItem(kmipItem: item, context: .strict)
    #expect(vector.operation == type(of: built).operation, sourceLocation: sourceLocation)
    #expect(vector.payload == ResponsePayload(built), sourceLocation: sourceLocation)
    let tree = try built.kmipItem(tag: .responsePayload, context: KMIPEncodingContext(version: version))
    #expect(tree == item.child(.responsePayload), sourceLocation: sourceLocation)
}

private let uid0: UniqueIdentifier = "$UNIQUE_IDENTIFIER_0"
private let now = KMIPDateTime(secondsSince1970: 1_767_225_600)

private func name(_ text: String) -> Name { Name(nameValue: text, nameType: .uninterpretedTextString) }

private func hexBytes(_ text: String) -> [UInt8] { try! bytes(hex: text) }

@Suite("Operations built from values match the OASIS vectors")
struct OperationVectorTests {
    @Test("Activate (1.3)")
    func activate() throws {
        try expectRequest(ActivateRequest(uniqueIdentifier: uid0), "1.3/mandatory/SKFF-M-10-13.xml", message: 5)
        try expectResponse(ActivateResponse(uniqueIdentifier: uid0), "1.3/mandatory/SKFF-M-10-13.xml", message: 6)
    }

    @Test("Cancel (1.0)")
    func cancel() throws {
        let file = "1.0/derived-ovh/testcases/TC_32_10_Asynchronous_Locate.xml"
        try expectRequest(CancelRequest(asynchronousCorrelationValue: Array("$ASYNCHRONOUS_CORRELATION_VALUE".utf8)), file, message: 17)
        try expectResponse(
            CancelResponse(asynchronousCorrelationValue: hexBytes("4d6bbfc35fe57fba"), cancellationResult: .canceled), file, message: 18)
    }

    @Test("Create (2.0) with a vendor attribute, Cryptographic Parameters and an Activation Date; Get with the ID Placeholder")
    func createVersion2() throws {
        var attributes = Attributes()
        attributes.append(try Attribute(name: "x-ID", "AX-M-1-20-key1"))
        attributes.cryptographicAlgorithm = .aes
        attributes.cryptographicLength = 256
        attributes.cryptographicUsageMask = [.decrypt, .encrypt]
        attributes.cryptographicParameters = [CryptographicParameters(blockCipherMode: .xts)]
        attributes.activationDate = KMIPDateTime(secondsSince1970: now.secondsSince1970 - 3600)
        try expectRequest(CreateRequest(objectType: .symmetricKey, attributes: attributes), "2.0/mandatory/AX-M-1-20.xml", message: 1)
        try expectRequest(GetRequest(), "2.0/mandatory/AX-M-1-20.xml", message: 1, batch: 2)
        #expect(attributes.all("x-ID").first?.name.vendorIdentification == "x")
    }

    @Test("Create (2.0) of an AES-192 key")
    func create() throws {
        var attributes = Attributes()
        attributes.cryptographicAlgorithm = .aes
        attributes.cryptographicLength = 192
        attributes.cryptographicUsageMask = [.decrypt, .encrypt]
        try expectRequest(CreateRequest(objectType: .symmetricKey, attributes: attributes), "2.0/mandatory/SKFF-M-2-20.xml", message: 1)
    }

    @Test("Create Key Pair (2.0) with common, private and public attributes")
    func createKeyPair() throws {
        var common = Attributes()
        common.cryptographicAlgorithm = .rsa
        common.cryptographicLength = 2048
        var privateKey = Attributes()
        privateKey.names = [name("AKLC-M-1-20-private")]
        privateKey.cryptographicUsageMask = .sign
        var publicKey = Attributes()
        publicKey.names = [name("AKLC-M-1-20-public")]
        publicKey.cryptographicUsageMask = .verify
        try expectRequest(
            CreateKeyPairRequest(commonAttributes: common, privateKeyAttributes: privateKey, publicKeyAttributes: publicKey),
            "2.0/mandatory/AKLC-M-1-20.xml", message: 1)
    }

    @Test("Delegated Login (2.0) with Rights")
    func delegatedLogin() throws {
        let rights = Rights(rights: [Right(operations: Operations(operations: [.interop, .log, .query]))])
        try expectRequest(
            DelegatedLoginRequest(leaseTime: KMIPInterval(seconds: 0), requestCount: 2, rights: rights),
            "2.0/testcases/TC-DLOGIN-1-20.xml", message: 3)
    }

    @Test("Delete Attribute (1.3: Attribute Name; 2.0 response)")
    func deleteAttribute() throws {
        try expectRequest(DeleteAttributeRequest(uniqueIdentifier: uid0, attributeName: "x-attribute1"), "1.3/mandatory/SKFF-M-10-13.xml", message: 25)
        try expectRequest(DeleteAttributeRequest(uniqueIdentifier: uid0, attributeName: "x-attribute2"), "1.3/mandatory/SKFF-M-10-13.xml", message: 25, batch: 2)
        try expectResponse(DeleteAttributeResponse(uniqueIdentifier: uid0), "2.0/mandatory/SKFF-M-11-20.xml", message: 26)
    }

    @Test("Discover Versions (1.1) with an empty response")
    func discoverVersions() throws {
        try expectResponse(DiscoverVersionsResponse(), "1.1/derived-ovh/testcases/TC_161_11_Discover_Versions.xml", message: 8)
    }

    @Test("Hash (1.3)")
    func hash() throws {
        try expectRequest(
            HashRequest(cryptographicParameters: CryptographicParameters(hashingAlgorithm: .sha256), data: Array("abc".utf8)),
            "1.3/testcases/TC-STREAM-HASH-1-13.xml", message: 1)
        try expectResponse(
            HashResponse(data: hexBytes("ad41233d22cf9322e3a7ff49a13da434797abed3bab80950a1a0d4e582b7ea72")),
            "1.3/mandatory/CS-AC-M-7-13.xml", message: 2)
    }

    @Test("Interop (2.1, 2.0) and Log (2.1)")
    func interopAndLog() throws {
        try expectRequest(InteropRequest(interopFunction: .end, interopIdentifier: "BL-M-1-21"), "2.1/mandatory/BL-M-1-21.xml", message: 13)
        try expectResponse(InteropResponse(), "2.0/testcases/TC-DLOGIN-1-20.xml", message: 2)
        try expectRequest(LogRequest(logMessage: "Registered a symmetric key."), "2.1/mandatory/BL-M-1-21.xml", message: 11)
        try expectResponse(LogResponse(), "2.1/mandatory/BL-M-1-21.xml", message: 12)
    }

    @Test("Locate (2.1 Attributes; 1.3 Attribute list with Maximum Items) and Get Attributes by name (1.3)")
    func locate() throws {
        var filter = Attributes()
        filter.names = [name("BL-M-1-21")]
        try expectRequest(LocateRequest(attributes: filter), "2.1/mandatory/BL-M-1-21.xml", message: 5)
        try expectResponse(LocateResponse(), "2.0/mandatory/SKFF-M-5-20.xml", message: 10)

        var version1 = Attributes()
        version1.objectType = .symmetricKey
        version1.append(try Attribute(name: .originalCreationDate, KMIPDateTime(secondsSince1970: now.secondsSince1970 - 60)))
        version1.append(try Attribute(name: .originalCreationDate, KMIPDateTime(secondsSince1970: now.secondsSince1970 + 60)))
        try expectRequest(LocateRequest(maximumItems: 1, attributes: version1), "1.3/testcases/TC-OFFSET-1-13.xml", message: 5)
        try expectRequest(GetAttributesRequest(attributeNames: ["x-ID"]), "1.3/testcases/TC-OFFSET-1-13.xml", message: 5, batch: 2)
    }

    @Test("Login (2.0)")
    func login() throws {
        try expectRequest(LoginRequest(leaseTime: KMIPInterval(seconds: 0), requestCount: 3), "2.0/testcases/TC-LOGIN-1-20.xml", message: 3)
    }

    @Test("Modify Attribute and Set Attribute (2.x New Attribute)")
    func modifyAndSetAttribute() throws {
        try expectRequest(
            ModifyAttributeRequest(uniqueIdentifier: uid0, attribute: try Attribute(name: .certificateLength, Int32(123))),
            "2.1/mandatory/BL-M-10-21.xml", message: 7)
        try expectRequest(
            SetAttributeRequest(uniqueIdentifier: uid0, attribute: try Attribute(name: .sensitive, true)),
            "2.0/testcases/TC-SETATTR-1-20.xml", message: 5)
        try expectResponse(SetAttributeResponse(uniqueIdentifier: uid0), "2.0/testcases/TC-SETATTR-1-20.xml", message: 6)
    }

    @Test("PKCS#11 (2.0)")
    func pkcs11() throws {
        try expectRequest(
            PKCS11Request(pkcs11Function: .cInitialize, pkcs11InputParameters: [0x01]), "2.0/mandatory/PKCS11-M-1-20.xml", message: 1)
        try expectResponse(PKCS11Response(pkcs11Function: .cFinalize, pkcs11ReturnCode: .ok), "2.0/mandatory/PKCS11-M-1-20.xml", message: 6)
    }

    @Test("Query (1.3) for RNGs")
    func queryRNGs() throws {
        try expectRequest(QueryRequest(queryFunctions: [.queryRNGs]), "1.3/testcases/TC-Q-RNGS-1-13.xml", message: 1)
        try expectResponse(QueryResponse(rngParameters: [RNGParameters(rngAlgorithm: .unspecified)]), "1.3/testcases/TC-Q-RNGS-1-13.xml", message: 2)
    }

    @Test("Re-key (2.0) with new attributes, then Get Attributes by reference")
    func rekey() throws {
        var attributes = Attributes()
        attributes.names = [name("TC-REKEY-1-20-first-rekey")]
        try expectRequest(ReKeyRequest(uniqueIdentifier: uid0, attributes: attributes), "2.0/testcases/TC-REKEY-1-20.xml", message: 5)
        try expectRequest(GetAttributesRequest(attributeNames: [.name, .state]), "2.0/testcases/TC-REKEY-1-20.xml", message: 5, batch: 2)
    }

    @Test("Register (2.1) of Secret Data with a Protect Stop Date")
    func register() throws {
        var attributes = Attributes()
        attributes.protectStopDate = KMIPDateTime(secondsSince1970: 949_327_200)  // 2000-02-01T00:00:00+10:00
        let secret = SecretData(
            secretDataType: .password, keyBlock: KeyBlock(keyFormatType: .raw, keyValue: .plain(.bytes(Array("password".utf8)))))
        try expectRequest(
            RegisterRequest(objectType: .secretData, attributes: attributes, object: .secretData(secret)), "2.1/mandatory/BL-M-4-21.xml", message: 3)
    }

    @Test("RNG Retrieve (1.4) and RNG Seed (1.3)")
    func rng() throws {
        try expectRequest(RNGRetrieveRequest(dataLength: 32), "1.4/mandatory/CS-RNG-M-1-14.xml", message: 1)
        try expectResponse(
            RNGRetrieveResponse(data: hexBytes("9c0bcd79d775998ddc52457bbbcfce2d4a194b039e20a3adacb63fb6561ba545")),
            "1.4/mandatory/CS-RNG-M-1-14.xml", message: 2)
        try expectRequest(
            RNGSeedRequest(data: hexBytes("333c06587706225099a67438f263f8f932f64b860c3a7dbb21bc2bd56685d8bc")), "1.3/optional/CS-RNG-O-1-13.xml", message: 1)
        try expectResponse(RNGSeedResponse(dataLength: 32), "1.3/optional/CS-RNG-O-1-13.xml", message: 2)
    }

    @Test("MAC (1.3), MAC Verify response (1.4), Sign (1.3)")
    func macAndSign() throws {
        let data = hexBytes("01020304050607080910111213141516")
        try expectRequest(MACRequest(uniqueIdentifier: uid0, data: data), "1.3/mandatory/CS-AC-M-4-13.xml", message: 3)
        try expectResponse(MACVerifyResponse(uniqueIdentifier: uid0, validityIndicator: .valid), "1.4/testcases/TC-STREAM-MAC-1-14.xml", message: 14)
        try expectRequest(SignRequest(uniqueIdentifier: uid0, data: data), "1.3/mandatory/CS-AC-M-1-13.xml", message: 3)
    }

    @Test("Encrypt (1.3 streaming start) and Decrypt (1.4)")
    func encryptAndDecrypt() throws {
        try expectRequest(EncryptRequest(uniqueIdentifier: uid0, initIndicator: true), "1.3/testcases/TC-STREAM-ENC-1-13.xml", message: 17)
        try expectResponse(EncryptResponse(uniqueIdentifier: uid0), "1.3/testcases/TC-STREAM-ENC-1-13.xml", message: 10)
        try expectRequest(DecryptRequest(uniqueIdentifier: uid0, data: Array("$DATA_0".utf8)), "1.4/mandatory/CS-BC-M-13-14.xml", message: 5)
    }

    @Test("Revoke (1.2) with a reason, Obtain Lease and Poll (1.0)")
    func revokeLeasePoll() throws {
        try expectRequest(
            RevokeRequest(uniqueIdentifier: uid0, revocationReason: RevocationReason(revocationReasonCode: .unspecified)),
            "1.2/derived-ovh/profiles/CS-BC-M-1-12_Encrypt_with_New_Symmetric_Key.xml", message: 5)
        let lease = "1.0/derived-ovh/testcases/TC_95_10_Obtain_Lease_for_Expired_Key.xml"
        try expectRequest(ObtainLeaseRequest(uniqueIdentifier: uid0), lease, message: 5)
        try expectResponse(RevokeResponse(uniqueIdentifier: uid0), lease, message: 8)
        try expectRequest(
            PollRequest(asynchronousCorrelationValue: Array("$ASYNCHRONOUS_CORRELATION_VALUE".utf8)),
            "1.0/derived-ovh/testcases/TC_32_10_Asynchronous_Locate.xml", message: 5)
    }

    @Test("Get Attribute List (1.0), Join Split Key response (1.2), Export (2.0)")
    func listJoinExport() throws {
        try expectRequest(
            GetAttributeListRequest(uniqueIdentifier: "$UNIQUE_IDENTIFIER_2"),
            "1.0/derived-ovh/testcases/TC_134_10_Register_Key_Pair_Certify_and_Re_certify_Public_Key.xml", message: 11)
        try expectResponse(
            JoinSplitKeyResponse(uniqueIdentifier: "$UNIQUE_IDENTIFIER_6"), "1.2/derived-ovh/testcases/TC_SJ_1_12_Create_and_SplitJoin.xml", message: 6)
        try expectRequest(ExportRequest(uniqueIdentifier: uid0), "2.0/testcases/TC-IMPEXP-1-20.xml", message: 5)
    }

    @Test("Add Attribute (1.0 custom attribute; 2.0 response)")
    func addAttribute() throws {
        try expectRequest(
            AddAttributeRequest(uniqueIdentifier: uid0, attribute: try Attribute(name: "x-provider", "unknown")),
            "1.0/derived-ovh/testcases/TC_61_10_Import_of_a_Third_party_Key.xml", message: 3)
        try expectResponse(AddAttributeResponse(uniqueIdentifier: uid0), "2.0/testcases/TC-ECC-1-20.xml", message: 6)
    }

    @Test("Create Split Key and Derive Key (2.0, PBKDF2)")
    func splitAndDerive() throws {
        try expectRequest(
            CreateSplitKeyRequest(
                objectType: .splitKey, uniqueIdentifier: uid0, splitKeyParts: 4, splitKeyThreshold: 4, splitKeyMethod: .xor,
                attributes: Attributes()),
            "2.0/testcases/TC-SJ-4-20.xml", message: 3)
        var attributes = Attributes()
        attributes.cryptographicAlgorithm = .aes
        attributes.cryptographicLength = 128
        attributes.cryptographicUsageMask = [.decrypt, .encrypt]
        try expectRequest(
            DeriveKeyRequest(
                objectType: .symmetricKey, uniqueIdentifiers: [uid0], derivationMethod: .pbkdf2,
                derivationParameters: DerivationParameters(salt: Array("salt".utf8), iterationCount: 4096), attributes: attributes),
            "2.0/testcases/TC-DERIVEKEY-4-20.xml", message: 3)
    }

    @Test("Signature Verify response (1.3), Certify response (1.0), Put response (1.0, empty)")
    func verifyCertifyPut() throws {
        try expectResponse(
            SignatureVerifyResponse(uniqueIdentifier: "$UNIQUE_IDENTIFIER_1", validityIndicator: .valid), "1.3/mandatory/CS-AC-M-3-ECC-13.xml", message: 8)
        try expectResponse(
            CertifyResponse(uniqueIdentifier: "$UNIQUE_IDENTIFIER_2"),
            "1.0/derived-ovh/testcases/TC_134_10_Register_Key_Pair_Certify_and_Re_certify_Public_Key.xml", message: 8)
        try expectResponse(PutResponse(), "1.0/derived-ovh/testcases/TC_NP_1_10_Put.xml", message: 4)
    }
}
