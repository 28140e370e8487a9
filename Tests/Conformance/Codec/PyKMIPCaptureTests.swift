// Real messages of PyKMIP 0.11.0 round-trip byte for byte.

import Testing
import KMIPTTLV

@Suite("PyKMIP wire captures")
struct PyKMIPCaptureTests {
    static let captures: [String] = (try? Repository.files(in: "Vectors/pykmip", withSuffix: ".hex")) ?? []

    static func message(_ name: String) throws -> [UInt8] {
        try bytes(hex: try Repository.text("Vectors/pykmip/\(name)"))
    }

    @Test("all 22 captures are present")
    func present() {
        #expect(Self.captures.count == 22)
    }

    @Test("decodes strictly and encodes back byte for byte", arguments: captures)
    func roundTrip(_ name: String) throws {
        let wire = try Self.message(name)
        let item = try TTLVDecoder().decode(wire)
        #expect(item.tag == (name.contains(".request") ? Tag.requestMessage : Tag.responseMessage))
        #expect(try TTLVEncoder().encode(item) == wire)
    }

    @Test("the Get response carries a 256-bit AES key")
    func getResponseValues() throws {
        let response = try TTLVDecoder().decode(try Self.message("02-get.response.hex"))
        let payload = try #require(response.child(.batchItem)?.child(.responsePayload))
        #expect(payload.child(.uniqueIdentifier)?.value == .textString("195"))
        #expect(payload.child(.objectType)?.value == .enumeration(2))  // Symmetric Key
        let keyBlock = try #require(payload.child(.symmetricKey)?.child(.keyBlock))
        #expect(keyBlock.child(.cryptographicAlgorithm)?.value == .enumeration(3))  // AES
        #expect(keyBlock.child(.cryptographicLength)?.value == .integer(256))
        guard case .byteString(let key)? = keyBlock.child(.keyValue)?.child(.keyMaterial)?.value else {
            Issue.record("no key material")
            return
        }
        #expect(key.count == 32)
        #expect(response.child(.responseHeader)?.child(.timeStamp)?.value == .dateTime(1_795_664_467))
    }
}
