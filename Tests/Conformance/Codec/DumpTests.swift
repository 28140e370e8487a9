// The readable dump: names, types, values, and secrets redacted.

import Testing
import KMIPTTLV

@Suite("Dump")
struct DumpTests {
    static func getResponse() throws -> KMIPItem {
        try TTLVDecoder().decode(try bytes(hex: try Repository.text("Vectors/pykmip/02-get.response.hex")))
    }

    @Test("names tags, types and enumeration values")
    func names() throws {
        let text = try Self.getResponse().dump()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "ResponseMessage (0x42007B) Structure")
        #expect(lines.contains("      ProtocolVersionMinor (0x42006B) Integer = 2"))
        #expect(lines.contains("    Operation (0x42005C) Enumeration = Get (0x0000000A)"))
        #expect(lines.contains("      ObjectType (0x420057) Enumeration = SymmetricKey (0x00000002)"))
        #expect(lines.contains("      UniqueIdentifier (0x420094) TextString = \"195\""))
        #expect(lines.contains("    TimeStamp (0x420092) DateTime = 2026-11-26T03:41:07Z (1795664467)"))
    }

    @Test("key material is redacted unless asked for")
    func redaction() throws {
        let response = try Self.getResponse()
        let key = "4E561AF3AB0711ACF3EAC8E4B8383628731A05BE5F0ECCCE87925A7BB2D0CA03"
        let redacted = response.dump()
        #expect(!redacted.contains(key))
        #expect(redacted.contains("KeyMaterial (0x420043) ByteString = <redacted, 32 bytes>"))
        #expect(response.dump(revealingSecrets: true).contains("KeyMaterial (0x420043) ByteString = \(key)"))
    }

    @Test("masks by name, unknown tags by hex, every type renders")
    func values() throws {
        let item = KMIPItem(.requestPayload, structure: [
            KMIPItem(.cryptographicUsageMask, .integer(0x0C)),
            KMIPItem(Tag(rawValue: 0x54_0010), .enumeration(0x8000_0001)),
            KMIPItem(.password, .textString("hunter2")),
            KMIPItem(.publicExponent, .bigInteger(KMIPBigInteger(65537))),
            KMIPItem(.lastChangeDate, .dateTimeExtended(1_205_495_800_000_001)),
            KMIPItem(.usageLimitsTotal, .longInteger(-5)),
            KMIPItem(.offset, .interval(86_400)),
            KMIPItem(.sensitive, .boolean(false)),
        ])
        let text = item.dump()
        #expect(text.contains("CryptographicUsageMask (0x42002C) Integer = Encrypt|Decrypt (0x0000000C)"))
        #expect(text.contains("0x540010 Enumeration = 0x80000001"))
        #expect(text.contains("Password (0x4200A1) TextString = <redacted, 7 bytes>"))
        #expect(!text.contains("hunter2"))
        #expect(text.contains("PublicExponent (0x42006C) BigInteger = 65537 (0x0000000000010001)"))
        #expect(text.contains("DateTimeExtended = 2008-03-14T11:56:40.000001Z"))
        #expect(text.contains("LongInteger = -5"))
        #expect(text.contains("Interval = 86400 s"))
        #expect(text.contains("Boolean = false"))
    }
}
