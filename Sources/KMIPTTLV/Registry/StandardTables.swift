// swift-kmip: KMIPTTLV
//
// Reads the generated specification tables (Generated/StandardRegistry+Tables.swift) into
// definitions, once, at first use of KMIPRegistry.standard.

/// The standard registry's tables as generated text, and their reader.
enum StandardTables {
    /// Every tag definition of the tables.
    static func tagDefinitions() -> [TagDefinition] {
        tags.split(separator: "\n").map { line in
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false)
            let history: [TagDefinition.TypeSpan] = cells[5].isEmpty ? [] : cells[5].split(separator: ";").map { span in
                let parts = span.split(separator: ":")
                return TagDefinition.TypeSpan(since: KMIPVersion(parts[0])!, itemTypes(parts[1]))
            }
            return TagDefinition(
                tag: Tag(rawValue: UInt32(cells[0].dropFirst(2), radix: 16)!),
                name: String(cells[1]), xmlName: String(cells[2]), itemTypes: itemTypes(cells[3]),
                versions: KMIPVersionSet(rawValue: UInt8(cells[4], radix: 16)!), typeHistory: history,
                status: cells[6].isEmpty ? nil : String(cells[6]),
                enumeration: cells[7].isEmpty ? nil : String(cells[7]))
        }
    }

    /// Every enumeration and mask definition of the tables.
    static func enumerationDefinitions() -> [EnumerationDefinition] {
        var definitions: [EnumerationDefinition] = []
        var header: [Substring] = []
        var values: [EnumerationValue] = []
        func flush() {
            guard !header.isEmpty else { return }
            definitions.append(EnumerationDefinition(
                name: String(header[1]), xmlName: String(header[2]), kind: header[3] == "mask" ? .mask : .enumeration, values: values))
        }
        for line in enumerations.split(separator: "\n") {
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false)
            if cells[0] == "=" {
                flush()
                header = cells
                values = []
            } else {
                values.append(EnumerationValue(
                    UInt32(cells[0].dropFirst(2), radix: 16)!, String(cells[1]), String(cells[2]),
                    versions: KMIPVersionSet(rawValue: UInt8(cells[3], radix: 16)!),
                    note: cells[4].isEmpty ? nil : String(cells[4])))
            }
        }
        flush()
        return definitions
    }

    private static func itemTypes(_ codes: Substring) -> [ItemType] {
        codes.split(separator: ",").map { ItemType(rawValue: UInt8($0)!) }
    }
}
