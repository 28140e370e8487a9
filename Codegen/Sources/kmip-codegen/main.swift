// kmip-codegen: writes the checked-in Swift tables of swift-kmip from the specification tables.
//
// Usage (from the repository root):
//   swift run --package-path Codegen kmip-codegen            rewrite the generated files
//   swift run --package-path Codegen kmip-codegen --check    exit 1 if any generated file is stale
//
// Input:  Codegen/Tables/{tags,enumerations,pkcs11-enumerations,tag-enumerations}.tsv (provenance in
//         Codegen/Tables/README.md)
// Output: Sources/KMIPTTLV/Generated/Tag+Standard.swift
//         Sources/KMIPTTLV/Generated/StandardRegistry+Tables.swift

import Foundation

// MARK: - Locations

let codegenRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // kmip-codegen
    .deletingLastPathComponent()  // Sources
    .deletingLastPathComponent()  // Codegen
let repositoryRoot = codegenRoot.deletingLastPathComponent()
let tablesDirectory = codegenRoot.appendingPathComponent("Tables")
let outputDirectory = repositoryRoot.appendingPathComponent("Sources/KMIPTTLV/Generated")

// MARK: - Reading TSV

struct Table {
    var rows: [[String: String]]

    init(named name: String) throws {
        let url = tablesDirectory.appendingPathComponent(name)
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard !lines.isEmpty else { throw GeneratorError("\(name) is empty") }
        let header = lines.removeFirst().split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        rows = try lines.enumerated().map { index, line in
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cells.count == header.count else {
                throw GeneratorError("\(name) line \(index + 2): \(cells.count) cells, expected \(header.count)")
            }
            return Dictionary(uniqueKeysWithValues: zip(header, cells))
        }
    }
}

struct GeneratorError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Mapping table text to Swift

let knownVersions = ["1.0", "1.1", "1.2", "1.3", "1.4", "2.0", "2.1"]

func versionSetLiteral(_ text: String, context: String) throws -> String {
    var bits = 0
    for version in text.split(separator: ",") {
        guard let index = knownVersions.firstIndex(of: String(version)) else {
            throw GeneratorError("\(context): unknown version \(version)")
        }
        bits |= 1 << index
    }
    return String(format: "0x%02X", bits)
}

func versionLiteral(_ text: String, context: String) throws -> String {
    guard knownVersions.contains(text) else { throw GeneratorError("\(context): unknown version \(text)") }
    return ".v" + text.replacingOccurrences(of: ".", with: "_")
}

let itemTypeCases: [String: String] = [
    "Structure": ".structure", "Integer": ".integer", "Long Integer": ".longInteger",
    "Big Integer": ".bigInteger", "Enumeration": ".enumeration", "Boolean": ".boolean",
    "Text String": ".textString", "Byte String": ".byteString", "Date-Time": ".dateTime",
    "Interval": ".interval", "Date-Time Extended": ".dateTimeExtended",
]

func itemTypesLiteral(_ text: String, context: String) throws -> String {
    if text.isEmpty || text == "varies" { return "[]" }
    let cases = try text.split(separator: "|").map { name in
        guard let value = itemTypeCases[String(name)] else { throw GeneratorError("\(context): unknown item type \(name)") }
        return value
    }
    return "[" + cases.joined(separator: ", ") + "]"
}

/// `Boolean from 1.0; Enumeration from 2.0` -> `[.init(since: .v1_0, [.boolean]), ...]`
func typeHistoryLiteral(_ text: String, context: String) throws -> String {
    let spans = try text.split(separator: ";").map { part -> String in
        let words = part.trimmingCharacters(in: .whitespaces).components(separatedBy: " from ")
        guard words.count == 2 else { throw GeneratorError("\(context): cannot read type change '\(part)'") }
        return ".init(since: \(try versionLiteral(words[1], context: context)), \(try itemTypesLiteral(words[0], context: context)))"
    }
    return "[" + spans.joined(separator: ", ") + "]"
}

func swiftString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        default:
            if scalar.isASCII && scalar.value >= 0x20 { out.unicodeScalars.append(scalar) } else {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            }
        }
    }
    return out + "\""
}

let swiftKeywords: Set<String> = [
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init",
    "inout", "internal", "let", "open", "operator", "private", "protocol", "public", "rethrows", "static",
    "struct", "subscript", "typealias", "var", "break", "case", "continue", "default", "defer", "do",
    "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "switch", "where", "while",
    "as", "catch", "false", "is", "nil", "super", "self", "Self", "throw", "throws", "true", "try", "Type",
]

/// `IVCounterNonce` -> `ivCounterNonce`, `X_509CertificateIdentifier` -> `x509CertificateIdentifier`.
func swiftIdentifier(fromXMLName xmlName: String) -> String {
    let characters = Array(xmlName.replacingOccurrences(of: "_", with: ""))
    var upperRun = 0
    while upperRun < characters.count, characters[upperRun].isUppercase { upperRun += 1 }
    var lowered = upperRun
    if upperRun > 1, upperRun < characters.count, characters[upperRun].isLowercase { lowered = upperRun - 1 }
    if upperRun == 1 { lowered = 1 }
    let head = String(characters[..<lowered]).lowercased()
    let identifier = head + String(characters[lowered...])
    return swiftKeywords.contains(identifier) ? "`\(identifier)`" : identifier
}

// MARK: - Generation

let header = """
    // Generated by Codegen/kmip-codegen from Codegen/Tables/%@. DO NOT EDIT.
    // Regenerate with `swift run --package-path Codegen kmip-codegen`.
    // swift-format-ignore-file

    """

func generateTags(_ tags: Table) throws -> String {
    var out = String(format: header, "tags.tsv")
    out += """

        extension Tag {
        """
    for row in tags.rows {
        let name = row["name"]!, xmlName = row["xml_name"]!
        let value = row["tag"]!
        let since = row["first_version"]!
        var doc = "    /// \(name) (KMIP \(since)"
        if let status = row["status"], !status.isEmpty { doc += "; \(status)" }
        doc += ")."
        out += "\n\(doc)\n    public static let \(swiftIdentifier(fromXMLName: xmlName)) = Tag(rawValue: \(value))"
    }
    out += "\n}\n"
    return out
}

func generateRegistryTables(tags: Table, enumerations: Table, tagEnumerations: Table) throws -> String {
    var out = String(format: header, "tags.tsv, enumerations.tsv, pkcs11-enumerations.tsv and tag-enumerations.tsv")
    let enumerationNames = Set(enumerations.rows.map { $0["enumeration"]! })
    var enumerationOfTag: [String: String] = [:]
    for row in tags.rows where enumerationNames.contains(row["name"]!) { enumerationOfTag[row["name"]!] = row["name"]! }
    for row in tagEnumerations.rows {
        guard enumerationNames.contains(row["enumeration"]!), tags.rows.contains(where: { $0["name"] == row["tag_name"] }) else {
            throw GeneratorError("tag-enumerations.tsv: unknown tag or enumeration in \(row)")
        }
        enumerationOfTag[row["tag_name"]!] = row["enumeration"]!
    }
    out += """

        extension KMIPRegistry {
            /// Every tag of KMIP 1.0 to 2.1, in the order of the specification's tag tables.
            static let standardTags: [TagDefinition] = [

        """
    for (index, row) in tags.rows.enumerated() {
        let context = "tags.tsv line \(index + 2)"
        var fields = [
            "tag: Tag(rawValue: \(row["tag"]!))",
            "name: \(swiftString(row["name"]!))",
            "xmlName: \(swiftString(row["xml_name"]!))",
            "itemTypes: \(try itemTypesLiteral(row["item_type"]!, context: context))",
            "versions: KMIPVersionSet(rawValue: \(try versionSetLiteral(row["versions"]!, context: context)))",
        ]
        if let changes = row["type_changes"], !changes.isEmpty {
            fields.append("typeHistory: \(try typeHistoryLiteral(changes, context: context))")
        }
        if let status = row["status"], !status.isEmpty { fields.append("status: \(swiftString(status))") }
        if let enumeration = enumerationOfTag[row["name"]!] { fields.append("enumeration: \(swiftString(enumeration))") }
        out += "        TagDefinition(\(fields.joined(separator: ", "))),\n"
    }
    out += "    ]\n\n"

    // Group enumerations in table order.
    var order: [String] = []
    var groups: [String: [[String: String]]] = [:]
    for row in enumerations.rows {
        let name = row["enumeration"]!
        if groups[name] == nil { order.append(name) }
        groups[name, default: []].append(row)
    }
    let tagNames = Dictionary(uniqueKeysWithValues: tags.rows.map { ($0["name"]!, $0) })
    out += """
            /// Every enumeration and bit mask of KMIP 1.0 to 2.1 with its values.
            static let standardEnumerations: [EnumerationDefinition] = [

        """
    for name in order {
        let rows = groups[name]!
        let kind = rows[0]["kind"]! == "mask" ? ".mask" : ".enumeration"
        let xmlName = tagNames[name]?["xml_name"] ?? name.replacingOccurrences(of: " ", with: "")
        out += "        EnumerationDefinition(name: \(swiftString(name)), xmlName: \(swiftString(xmlName)), kind: \(kind), values: [\n"
        for row in rows {
            let context = "enumerations.tsv \(name)/\(row["name"]!)"
            var fields = [
                row["value"]!,
                swiftString(row["name"]!),
                swiftString(row["xml_name"]!),
                "versions: KMIPVersionSet(rawValue: \(try versionSetLiteral(row["versions"]!, context: context)))",
            ]
            if let note = row["note"], !note.isEmpty { fields.append("note: \(swiftString(note))") }
            out += "            EnumerationValue(\(fields.joined(separator: ", "))),\n"
        }
        out += "        ]),\n"
    }
    out += "    ]\n}\n"
    return out
}

// MARK: - Main

do {
    let check = CommandLine.arguments.dropFirst().contains("--check")
    let tags = try Table(named: "tags.tsv")
    var enumerations = try Table(named: "enumerations.tsv")
    enumerations.rows += try Table(named: "pkcs11-enumerations.tsv").rows
    let tagEnumerations = try Table(named: "tag-enumerations.tsv")
    let outputs: [(String, String)] = [
        ("Tag+Standard.swift", try generateTags(tags)),
        ("StandardRegistry+Tables.swift", try generateRegistryTables(tags: tags, enumerations: enumerations, tagEnumerations: tagEnumerations)),
    ]
    var stale: [String] = []
    for (file, text) in outputs {
        let url = outputDirectory.appendingPathComponent(file)
        let existing = try? String(contentsOf: url, encoding: .utf8)
        if existing == text { continue }
        if check {
            stale.append(file)
        } else {
            try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
            print("wrote Sources/KMIPTTLV/Generated/\(file)")
        }
    }
    if check {
        if stale.isEmpty {
            print("generated sources are up to date (\(outputs.count) files)")
        } else {
            print("stale generated sources: \(stale.joined(separator: ", ")); run `swift run --package-path Codegen kmip-codegen`")
            exit(1)
        }
    }
} catch {
    FileHandle.standardError.write(Data("kmip-codegen: \(error)\n".utf8))
    exit(2)
}
