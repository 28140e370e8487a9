// The generated registry holds exactly what the specification tables say.

import Testing
import KMIPTTLV

@Suite("Registry against Codegen/Tables")
struct RegistryTableTests {
    static let itemTypeNames: [String: ItemType] = [
        "Structure": .structure, "Integer": .integer, "Long Integer": .longInteger, "Big Integer": .bigInteger,
        "Enumeration": .enumeration, "Boolean": .boolean, "Text String": .textString, "Byte String": .byteString,
        "Date-Time": .dateTime, "Interval": .interval, "Date-Time Extended": .dateTimeExtended,
    ]

    static func versions(_ text: String) -> KMIPVersionSet {
        text.split(separator: ",").reduce(into: KMIPVersionSet()) { $0.insert(KMIPVersionSet(KMIPVersion($1)!)) }
    }

    @Test("every tag of tags.tsv, with its name, XML name, item types and versions")
    func tags() throws {
        let rows = try Repository.table("Codegen/Tables/tags.tsv")
        #expect(rows.count == 371)
        let registry = KMIPRegistry.standard
        #expect(registry.tags.count == rows.count)
        for row in rows {
            let tag = Tag(rawValue: UInt32(row["tag"]!.dropFirst(2), radix: 16)!)
            let definition = try #require(registry.definition(of: tag), "\(row["name"]!)")
            #expect(definition.name == row["name"])
            #expect(definition.xmlName == row["xml_name"])
            #expect(registry.tag(named: row["xml_name"]!) == tag)
            #expect(registry.tag(named: row["name"]!) == tag)
            #expect(definition.versions == Self.versions(row["versions"]!))
            let printed = row["item_type"]!
            if printed.isEmpty || printed == "varies" {
                #expect(definition.itemTypes.isEmpty)
            } else if row["type_changes"]!.isEmpty {
                #expect(definition.itemTypes == printed.split(separator: "|").map { Self.itemTypeNames[String($0)]! })
            }
        }
    }

    @Test("item types that changed between versions")
    func typeHistory() throws {
        let registry = KMIPRegistry.standard
        let indicator = try #require(registry.definition(of: .asynchronousIndicator))
        #expect(indicator.itemTypes(in: .v1_4) == [.boolean])
        #expect(indicator.itemTypes(in: .v2_0) == [.enumeration])
        let timeStamp = try #require(registry.definition(of: .timeStamp))
        #expect(timeStamp.itemTypes(in: .v1_0) == [.dateTime])
        #expect(timeStamp.itemTypes(in: .v2_1) == [.dateTime, .dateTimeExtended])
    }

    @Test("every enumeration and mask value of enumerations.tsv and pkcs11-enumerations.tsv")
    func enumerations() throws {
        let rows = try Repository.table("Codegen/Tables/enumerations.tsv") + Repository.table("Codegen/Tables/pkcs11-enumerations.tsv")
        #expect(rows.count == 871 + 153)
        let registry = KMIPRegistry.standard
        var seen = 0
        for row in rows {
            let enumeration = try #require(registry.enumeration(named: row["enumeration"]!))
            #expect(enumeration.kind == (row["kind"] == "mask" ? .mask : .enumeration))
            let value = UInt32(row["value"]!.dropFirst(2), radix: 16)!
            let entry = try #require(enumeration.values.first { $0.name == row["name"] && $0.value == value })
            #expect(entry.xmlName == row["xml_name"])
            #expect(entry.versions == Self.versions(row["versions"]!))
            #expect(enumeration.value(named: row["xml_name"]!) == value)
            seen += 1
        }
        #expect(registry.enumerations.reduce(0) { $0 + $1.values.count } == seen)
    }

    @Test("a tag finds the enumeration or mask it carries")
    func tagToEnumeration() throws {
        let registry = KMIPRegistry.standard
        #expect(registry.enumeration(for: .operation)?.name == "Operation")
        #expect(registry.enumeration(for: .cryptographicUsageMask)?.kind == .mask)
        #expect(registry.enumeration(for: .uniqueIdentifier)?.name == "Unique Identifier")
        #expect(registry.enumeration(for: .batchCount) == nil)
        #expect(registry.enumeration(for: .maskGeneratorHashingAlgorithm)?.name == "Hashing Algorithm")
        #expect(registry.enumeration(for: .pkcs11Function)?.value(named: "C_Initialize") == 1)
        #expect(registry.enumeration(for: .pkcs11ReturnCode)?.value(named: "OK") == 0)
        #expect(registry.definition(of: .operation)?.enumeration == "Operation")
    }

    @Test("renamed values are named as each version names them")
    func renamedValues() throws {
        let hashing = try #require(KMIPRegistry.standard.enumeration(named: "Hashing Algorithm"))
        #expect(hashing.entry(for: 0x0F, in: .v1_4)?.name == "SHA-3-256")
        #expect(hashing.entry(for: 0x0F, in: .v2_0)?.name == "SHA3-256")
        #expect(hashing.entry(for: 0x0F)?.name == "SHA3-256")
        #expect(hashing.entry(for: 0x8000_0000) == nil)
    }

    @Test("masks split into named bits and the rest")
    func masks() throws {
        let usage = try #require(KMIPRegistry.standard.enumeration(named: "CryptographicUsageMask"))
        let (entries, rest) = usage.maskEntries(for: 0x0000_000C | 0x4000_0000)
        #expect(entries.map(\.xmlName) == ["Encrypt", "Decrypt"])
        #expect(rest == 0x4000_0000)
    }

    @Test("a vendor's tags and enumerations can be added to a copy")
    func vendorExtensions() throws {
        var registry = KMIPRegistry.standard
        let vendorTag = Tag(rawValue: 0x54_0001)
        registry.register(TagDefinition(tag: vendorTag, name: "Camera Serial", xmlName: "CameraSerial", itemTypes: [.textString], versions: .all))
        #expect(registry.tag(named: "CameraSerial") == vendorTag)
        #expect(KMIPRegistry.standard.definition(of: vendorTag) == nil)
        #expect(vendorTag.description == "0x540001")
        #expect(Tag.uniqueIdentifier.description == "UniqueIdentifier")
    }
}
