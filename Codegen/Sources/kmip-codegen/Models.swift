// The mechanical part of the typed models (Sources/KMIP/Generated): enumerations and masks from
// enumerations.tsv, and one struct per payload, object and structure of structures.tsv with the
// union of its fields over KMIP 1.0 to 2.1, each field tagged with the versions that define and
// require it. What needs judgement (attributes in their 1.x and 2.x forms, managed objects, key
// blocks, messages, credentials, identifiers) is written by hand in Sources/KMIP and only
// referred to here by name (`handWrittenTypes`, `fieldRules`).

import Foundation

// MARK: - Tag facts

struct TagFacts {
    var name: String
    var xmlName: String
    /// (first version index, item types) spans, in version order.
    var spans: [(since: Int, types: [String])]

    func itemTypes(in versions: [Int]) -> Set<String> {
        var result = Set<String>()
        for version in versions {
            var current: [String] = []
            for span in spans where span.since <= version { current = span.types }
            result.formUnion(current)
        }
        return result
    }
}

func loadTagFacts(_ tags: Table) throws -> [String: TagFacts] {
    var facts: [String: TagFacts] = [:]
    for row in tags.rows {
        let xml = row["xml_name"]!
        var spans: [(Int, [String])] = []
        let changes = row["type_changes"]!
        if changes.isEmpty {
            spans = [(0, row["item_type"]!.split(separator: "|").map(String.init))]
        } else {
            for part in changes.components(separatedBy: "; ") {
                guard let range = part.range(of: " from ") else { throw GeneratorError("type_changes of \(xml): \(part)") }
                let types = part[..<range.lowerBound].split(separator: "|").map(String.init)
                guard let since = knownVersions.firstIndex(of: String(part[range.upperBound...])) else {
                    throw GeneratorError("type_changes of \(xml): \(part)")
                }
                spans.append((since, types))
            }
        }
        facts[xml] = TagFacts(name: row["name"]!, xmlName: xml, spans: spans)
    }
    return facts
}

// MARK: - Names

/// `Cryptographic Algorithm` -> `CryptographicAlgorithm`, `PKCS#11 Function` -> `PKCS11Function`.
func typeName(fromSpecName name: String) -> String {
    var out = ""
    var capitalizeNext = true
    for character in name {
        if character.isLetter || character.isNumber {
            out.append(capitalizeNext ? Character(character.uppercased()) : character)
            capitalizeNext = false
        } else {
            capitalizeNext = true
        }
    }
    return out
}

/// The plural property name of a repeatable field.
func pluralIdentifier(_ identifier: String) -> String {
    let bare = identifier.trimmingCharacters(in: CharacterSet(charactersIn: "`"))
    if bare.hasSuffix("s") || bare.hasSuffix("Information") || bare.hasSuffix("Data") || bare.hasSuffix("Defaults") {
        return bare
    }
    return bare + "s"
}

func versionRangeText(_ indices: [Int]) -> String {
    let sorted = indices.sorted()
    guard let first = sorted.first, let last = sorted.last else { return "none" }
    if last - first + 1 == sorted.count {
        return first == last ? knownVersions[first] : "\(knownVersions[first])–\(knownVersions[last])"
    }
    return sorted.map { knownVersions[$0] }.joined(separator: ", ")
}

func versionSetCode(_ indices: [Int]) -> String {
    let bits = indices.reduce(0) { $0 | (1 << $1) }
    if bits == 0x7F { return ".all" }
    if bits == 0 { return "[]" }
    return "KMIPVersionSet(rawValue: 0x\(String(format: "%02X", bits)))"
}

func docEscape(_ text: String) -> String {
    text.replacingOccurrences(of: "\n", with: " ")
}

// MARK: - Enumerations

struct EnumerationModel {
    var specName: String
    var swiftName: String
    var isMask: Bool
    var entries: [(name: String, identifier: String, value: String, versions: String)]
    var sections: Set<String>
}

/// Enumeration names that would shadow other types; the Swift type gets `Enumeration` appended.
let enumerationRenames: [String: String] = [
    "Item Type": "ItemTypeEnumeration",  // KMIPTTLV.ItemType
    "Unique Identifier": "UniqueIdentifierEnumeration",  // the hand-written UniqueIdentifier
    "Data": "DataEnumeration",  // Foundation.Data
]

func enumerationModels(_ enumerations: Table) throws -> [EnumerationModel] {
    var order: [String] = []
    var models: [String: EnumerationModel] = [:]
    for row in enumerations.rows {
        let name = row["enumeration"]!
        if models[name] == nil {
            order.append(name)
            models[name] = EnumerationModel(
                specName: name, swiftName: enumerationRenames[name] ?? typeName(fromSpecName: name),
                isMask: row["kind"] == "mask", entries: [], sections: [])
        }
        // PKCS#11 return codes are SCREAMING_CASE words (CKR_HOST_MEMORY -> hostMemory).
        var identifier = swiftIdentifier(fromXMLName: row["xml_name"]!, screamingCase: name == "PKCS#11 Return Code")
        let value = row["value"]!
        if let existing = models[name]!.entries.first(where: { $0.identifier == identifier }) {
            if existing.value == value { continue }  // the same value under a respelled name
            identifier = swiftIdentifier(fromXMLName: row["xml_name"]!.replacingOccurrences(of: "_", with: "X"))
        }
        models[name]!.entries.append((row["name"]!, identifier, value, row["versions"]!))
        if let section = row["spec_section"], !section.isEmpty { models[name]!.sections.insert(section) }
    }
    return order.map { models[$0]! }
}

func generateEnumerations(_ models: [EnumerationModel]) -> String {
    var out = String(format: header, "enumerations.tsv and pkcs11-enumerations.tsv")
    for model in models {
        let values = model.entries.count
        let section = model.sections.sorted().first.map { " (\($0))" } ?? ""
        out += "\n"
        if model.isMask {
            out += """
                /// The \(model.specName) bit mask\(section): \(values) named bits.
                public struct \(model.swiftName): KMIPMask {
                    public static var enumerationName: String { "\(model.specName)" }
                    /// The bits.
                    public var rawValue: UInt32
                    /// Creates a mask from its bits.
                    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

                """
        } else {
            out += """
                /// The \(model.specName) enumeration\(section): \(values) specified values; any other value is kept.
                public struct \(model.swiftName): KMIPEnumeration {
                    public static var enumerationName: String { "\(model.specName)" }
                    /// The number.
                    public var rawValue: UInt32
                    /// Creates a value from its number.
                    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

                """
        }
        for entry in model.entries {
            let versions = versionRangeText(entry.versions.split(separator: ",").compactMap { knownVersions.firstIndex(of: String($0)) })
            out += "    /// \(docEscape(entry.name)) (\(entry.value); KMIP \(versions)).\n"
            out += "    public static let \(entry.identifier) = Self(rawValue: \(entry.value))\n"
        }
        out += "}\n"
    }
    return out
}

// MARK: - Structures

struct FieldRow {
    var version: Int
    var position: Int
    var xmlName: String
    var name: String
    var required: String
    var repeatable: Bool
    var variant: String = ""
}

struct StructureModel {
    var kind: String
    var specName: String
    var swiftName: String
    var sections: [Int: String] = [:]
    var rows: [FieldRow] = []
    var operation: String?
    var operationXML: String?

    var versions: [Int] { Array(Set(rows.map(\.version))).sorted() }
}

/// Structures written by hand in Sources/KMIP (their generated counterparts are skipped).
let handWrittenStructures: Set<String> = [
    "Request Message", "Response Message", "Request Header", "Response Header", "Request Batch Item",
    "Response Batch Item", "Attribute", "Attributes", "Template-Attribute", "Common Template-Attribute",
    "Private Key Template-Attribute", "Public Key Template-Attribute", "Common Attributes", "Private Key Attributes",
    "Public Key Attributes", "Current Attribute", "New Attribute", "Attribute Reference", "Key Block", "Key Value",
    "Credential", "Protocol Version", "Protection Storage Masks", "Server Information",
]

/// Swift type for a field whose tag names a hand-written model.
let handWrittenFieldTypes: [String: String] = [
    "UniqueIdentifier": "UniqueIdentifier",
    "LinkedObjectIdentifier": "UniqueIdentifier",
    "PrivateKeyUniqueIdentifier": "UniqueIdentifier",
    "PublicKeyUniqueIdentifier": "UniqueIdentifier",
    "ReplacedUniqueIdentifier": "UniqueIdentifier",
    "KeyBlock": "KeyBlock",
    "ProtocolVersion": "KMIPVersion",
    "Credential": "Credential",
    "ProtectionStorageMasks": "ProtectionStorageMasks",
    "CommonProtectionStorageMasks": "ProtectionStorageMasks",
    "PrivateProtectionStorageMasks": "ProtectionStorageMasks",
    "PublicProtectionStorageMasks": "ProtectionStorageMasks",
    "ServerInformation": "KMIPItem",
    "CertificateRequestValue": "[UInt8]",
]

/// How a field of one wire form maps to a property shared by several forms.
struct FieldRule {
    var property: String
    var type: String
    /// The wire form: `nil` when `type` itself is the form.
    var form: String?
    /// The form is a repeated item: the property's value is spread over several items.
    var spread: Bool = false
}

func fieldRule(xmlName: String, repeatable: Bool) -> FieldRule? {
    switch xmlName {
    case "TemplateAttribute": return FieldRule(property: "attributes", type: "Attributes", form: "TemplateAttributeForm")
    case "Attributes": return FieldRule(property: "attributes", type: "Attributes", form: "AttributesForm")
    case "CommonTemplateAttribute": return FieldRule(property: "commonAttributes", type: "Attributes", form: "TemplateAttributeForm")
    case "CommonAttributes": return FieldRule(property: "commonAttributes", type: "Attributes", form: "AttributesForm")
    case "PrivateKeyTemplateAttribute": return FieldRule(property: "privateKeyAttributes", type: "Attributes", form: "TemplateAttributeForm")
    case "PrivateKeyAttributes": return FieldRule(property: "privateKeyAttributes", type: "Attributes", form: "AttributesForm")
    case "PublicKeyTemplateAttribute": return FieldRule(property: "publicKeyAttributes", type: "Attributes", form: "TemplateAttributeForm")
    case "PublicKeyAttributes": return FieldRule(property: "publicKeyAttributes", type: "Attributes", form: "AttributesForm")
    case "Attribute" where repeatable: return FieldRule(property: "attributes", type: "Attributes", form: "Attribute", spread: true)
    case "Attribute": return FieldRule(property: "attribute", type: "Attribute", form: nil)
    case "NewAttribute": return FieldRule(property: "attribute", type: "Attribute", form: "AttributeWrapperForm")
    case "CurrentAttribute": return FieldRule(property: "currentAttribute", type: "Attribute", form: "AttributeWrapperForm")
    case "AttributeName" where repeatable: return FieldRule(property: "attributeNames", type: "[AttributeName]", form: nil)
    case "AttributeReference" where repeatable:
        return FieldRule(property: "attributeNames", type: "[AttributeName]", form: "AttributeReferenceForm")
    case "AttributeName": return FieldRule(property: "attributeName", type: "AttributeName", form: nil)
    case "AttributeReference": return FieldRule(property: "attributeName", type: "AttributeName", form: "AttributeReferenceForm")
    default: return nil
    }
}

func isStrictlyRequired(_ text: String) -> Bool {
    let normalized = text.lowercased().trimmingCharacters(in: .whitespaces)
        .replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: "")
    return ["yes", "yes may be repeated"].contains(normalized)
}

func structureModels(_ table: Table, tags: [String: TagFacts], operations: Table) throws -> [StructureModel] {
    var order: [String] = []
    var models: [String: StructureModel] = [:]
    let serverToClientOnly: Set<String> = ["Notify", "Put"]
    for row in table.rows {
        let kind = row["kind"]!
        let structure = row["structure"]!
        let variant = row["variant"]!
        let version = knownVersions.firstIndex(of: row["version"]!)!
        var key: String
        var swiftName: String
        switch kind {
        case "request-payload", "response-payload":
            let operation = row["operation"]!
            if variant == "server-to-client" && !serverToClientOnly.contains(operation) { continue }
            let opName = typeName(fromSpecName: operation)
            swiftName = opName + (kind == "request-payload" ? "Request" : "Response")
            key = swiftName
        case "message", "header", "batch-item":
            continue
        default:
            if handWrittenStructures.contains(structure) { continue }
            if structure == "Credential Value" {
                let name = variant.isEmpty ? "Username and Password" : variant
                swiftName = typeName(fromSpecName: name) + "Credential"
            } else if structure == "Key Material" {
                swiftName = typeName(fromSpecName: variant)
            } else {
                // Only structures: the 2.x PKCS#11 "structures" define single items.
                let xml = tags.values.first { $0.name == structure }
                if let xml, !xml.spans.contains(where: { $0.types.contains("Structure") }) { continue }
                swiftName = xml.map { typeName(fromSpecName: $0.xmlName) } ?? typeName(fromSpecName: structure)
            }
            key = swiftName
        }
        if models[key] == nil {
            order.append(key)
            var model = StructureModel(kind: kind, specName: structure, swiftName: swiftName)
            if kind.hasSuffix("payload") {
                model.operation = row["operation"]
                guard let xml = operations.rows.first(where: { $0["operation"] == row["operation"] })?["xml_name"] else {
                    throw GeneratorError("\(structure): operation \(row["operation"]!) is not in operations.tsv")
                }
                model.operationXML = xml
            }
            models[key] = model
        }
        models[key]!.sections[version] = row["section"]!
        let position = Int(row["position"]!) ?? 0
        if position == 0 { models[key]!.rows.append(FieldRow(version: version, position: 0, xmlName: "", name: "", required: "", repeatable: false)); continue }
        models[key]!.rows.append(FieldRow(
            version: version, position: position, xmlName: row["field_xml_name"]!, name: row["field"]!,
            required: row["required"]!, repeatable: row["repeatable"] == "yes", variant: variant))
    }
    // Notify and Put (server-to-client) have no response payload table: the client answers with
    // an empty payload (as the OASIS vectors show).
    for operation in ["Notify", "Put"] {
        let requestKey = typeName(fromSpecName: operation) + "Request"
        guard let request = models[requestKey] else { throw GeneratorError("no \(requestKey)") }
        var response = StructureModel(kind: "response-payload", specName: "\(operation) Response Payload", swiftName: typeName(fromSpecName: operation) + "Response")
        response.operation = request.operation
        response.operationXML = request.operationXML
        for version in request.versions {
            response.sections[version] = request.sections[version]! + " (no response payload table: empty)"
            response.rows.append(FieldRow(version: version, position: 0, xmlName: "", name: "", required: "", repeatable: false))
        }
        models[response.swiftName] = response
        order.insert(response.swiftName, at: order.firstIndex(of: requestKey)! + 1)
    }
    return order.map { models[$0]! }
}

/// Fields whose values never appear in descriptions (as `KMIPItem.sensitiveTags` in dumps).
let sensitiveFields: Set<String> = [
    "KeyMaterial", "KeyValue", "Key", "D", "P", "Q", "PrivateExponent", "PrimeExponentP", "PrimeExponentQ", "CRTCoefficient",
    "X", "Password", "OneTimePassword", "HashedPassword", "ServerHashedPassword", "TicketValue", "Data",
]

let managedObjectTags: Set<String> = [
    "Certificate", "CertificateRequest", "SymmetricKey", "PublicKey", "PrivateKey", "SplitKey", "Template", "SecretData",
    "OpaqueObject", "PGPKey",
]

/// One wire field of a structure: a tag (or a choice of tags) and the versions that define it.
struct WireField {
    var xmlName: String
    var name: String
    var repeatable: Bool
    var versions: [Int]
    var requiredIn: [Int]
}

/// The union of a structure's fields over its versions, in an order that is the printed order of
/// every version (the tables never disagree; checked here).
func unionFields(_ model: StructureModel) throws -> [WireField] {
    var order: [String] = []
    var fields: [String: WireField] = [:]
    for version in model.versions {
      let variants = model.rows.filter { $0.version == version }.map(\.variant)
        .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
      for variant in variants {
        let rows = model.rows.filter { $0.version == version && $0.variant == variant && $0.position > 0 && !$0.xmlName.isEmpty }
            .sorted { $0.position < $1.position }
        var insertAt = 0
        var expanded: [FieldRow] = []
        for row in rows {
            // A choice of managed objects is one field; any other choice is one optional field per alternative.
            let alternatives = row.xmlName.split(separator: "|").map(String.init)
            if alternatives.count > 1 && !alternatives.allSatisfy({ managedObjectTags.contains($0) }) {
                for alternative in alternatives {
                    var copy = row
                    copy.xmlName = alternative
                    copy.name = alternative
                    copy.required = "No"
                    expanded.append(copy)
                }
            } else {
                expanded.append(row)
            }
        }
        for row in expanded {
            // A choice field keeps one identity however its alternatives change between versions.
            let key = row.xmlName.contains("|") ? "ManagedObject" : row.xmlName
            if let index = order.firstIndex(of: key) {
                if index < insertAt { throw GeneratorError("\(model.swiftName): \(key) out of order in \(knownVersions[version])") }
                insertAt = index + 1
            } else {
                order.insert(key, at: insertAt)
                insertAt += 1
                fields[key] = WireField(xmlName: row.xmlName, name: row.name, repeatable: row.repeatable, versions: [], requiredIn: [])
            }
            if !fields[key]!.versions.contains(version) { fields[key]!.versions.append(version) }
            if row.repeatable { fields[key]!.repeatable = true }
            if isStrictlyRequired(row.required), variants.count == 1 { fields[key]!.requiredIn.append(version) }
        }
      }
    }
    return order.map { fields[$0]! }
}

/// A property of a generated struct, fed by one or more wire fields.
struct Property {
    var identifier: String
    var type: String
    var isArray: Bool
    var isOptional: Bool
    var forms: [(field: WireField, rule: FieldRule?)]
    var doc: String
}

final class ModelGenerator {
    let tags: [String: TagFacts]
    let enumerationTypes: [String: String]  // tag xml name -> Swift enumeration type
    let structureTypes: [String: String]  // tag xml name -> Swift struct type
    var skipped: [String] = []

    init(tags: [String: TagFacts], enumerations: [EnumerationModel], tagEnumerations: Table, structures: [StructureModel]) {
        self.tags = tags
        var enumerationTypes: [String: String] = [:]
        let bySpecName = Dictionary(uniqueKeysWithValues: enumerations.map { ($0.specName, $0.swiftName) })
        for facts in tags.values {
            if let type = bySpecName[facts.name] { enumerationTypes[facts.xmlName] = type }
        }
        for row in tagEnumerations.rows {
            if let facts = tags.values.first(where: { $0.name == row["tag_name"]! }), let type = bySpecName[row["enumeration"]!] {
                enumerationTypes[facts.xmlName] = type
            }
        }
        self.enumerationTypes = enumerationTypes
        var structureTypes: [String: String] = [:]
        for model in structures where !model.kind.hasSuffix("payload") && model.specName != "Key Material" && model.specName != "Credential Value" {
            if let facts = tags.values.first(where: { $0.name == model.specName }) { structureTypes[facts.xmlName] = model.swiftName }
        }
        self.structureTypes = structureTypes
    }

    func swiftType(of field: WireField) -> String {
        if field.xmlName.contains("|") { return "ManagedObject" }
        if let type = handWrittenFieldTypes[field.xmlName] { return type }
        guard let facts = tags[field.xmlName] else { return "KMIPItem" }
        let types = facts.itemTypes(in: field.versions)
        guard types.count == 1, let type = types.first else { return "KMIPItem.Value" }
        switch type {
        case "Structure": return structureTypes[field.xmlName] ?? "KMIPItem"
        case "Integer":
            switch field.xmlName {
            case "CryptographicUsageMask": return "CryptographicUsageMask"
            case "StorageStatusMask": return "StorageStatusMask"
            case "ProtectionStorageMask": return "ProtectionStorageMask"
            default: return "Int32"
            }
        case "Long Integer": return "Int64"
        case "Big Integer": return "KMIPBigInteger"
        case "Enumeration": return enumerationTypes[field.xmlName] ?? "RawEnumeration"
        case "Boolean": return "Bool"
        case "Text String": return "String"
        case "Byte String": return "[UInt8]"
        case "Date-Time": return "KMIPDateTime"
        case "Interval": return "KMIPInterval"
        case "Date-Time Extended": return "KMIPDateTimeExtended"
        default: return "KMIPItem.Value"
        }
    }

    func properties(of model: StructureModel, fields: [WireField]) -> [Property] {
        var properties: [Property] = []
        let allVersions = Set(model.versions)
        for field in fields {
            let rule = fieldRule(xmlName: field.xmlName, repeatable: field.repeatable)
            let identifier: String
            var type: String
            var isArray = false
            if let rule {
                identifier = rule.property
                type = rule.type
                if type.hasPrefix("[") { isArray = true; type = String(type.dropFirst().dropLast()) }
            } else if field.xmlName.contains("|") {
                identifier = "object"
                type = "ManagedObject"
            } else {
                type = swiftType(of: field)
                isArray = field.repeatable
                let single = swiftIdentifier(fromXMLName: field.xmlName)
                identifier = isArray ? pluralIdentifier(single) : single
            }
            if let index = properties.firstIndex(where: { $0.identifier == identifier }) {
                properties[index].forms.append((field, rule))
                continue
            }
            properties.append(Property(
                identifier: identifier, type: type, isArray: isArray, isOptional: true, forms: [(field, rule)],
                doc: field.name))
        }
        // Optional unless every version of the structure strictly requires one of the forms.
        for index in properties.indices where !properties[index].isArray {
            let required = Set(properties[index].forms.flatMap { $0.field.requiredIn })
            properties[index].isOptional = required != allVersions
        }
        return properties
    }

    func generate(_ model: StructureModel) throws -> String {
        let fields = try unionFields(model)
        let properties = properties(of: model, fields: fields)
        let versions = model.versions
        let sections = versions.map { "\(knownVersions[$0]) §\(model.sections[$0]!)" }
        var sectionText: [String] = []
        for text in sections where !sectionText.contains(where: { $0.hasSuffix(String(text.dropFirst(4))) }) {
            sectionText.append(text)
        }
        let title: String
        if let operation = model.operation {
            title = "The \(model.kind == "request-payload" ? (model.specName.hasSuffix("Message Payload") ? "message" : "request") : "response") payload of \(operation)"
        } else {
            title = "\(model.specName)"
        }
        var out = "\n/// \(title) (KMIP \(versionRangeText(versions))).\n///\n/// Specification: \(sectionText.joined(separator: "; ")).\n"
        var conformances = ["Hashable", "Sendable"]
        if let operation = model.operation {
            conformances.append(model.kind == "request-payload" ? "KMIPRequestPayload" : "KMIPResponsePayload")
            _ = operation
        }
        out += "public struct \(model.swiftName): \(conformances.joined(separator: ", ")) {\n"
        if let operation = model.operation {
            out += "    /// The operation this payload belongs to.\n"
            _ = operation
            out += "    public static var operation: Operation { .\(swiftIdentifier(fromXMLName: model.operationXML!)) }\n"
            out += "    /// The protocol versions that define this payload.\n"
            out += "    public static var versions: KMIPVersionSet { \(versionSetCode(versions)) }\n"
            if model.kind == "request-payload" {
                let response = model.swiftName.dropLast("Request".count) + "Response"
                out += "    /// The payload of the response.\n"
                out += "    public typealias Response = \(response)\n"
            }
        }
        for property in properties {
            let propertyVersions = Array(Set(property.forms.flatMap { $0.field.versions })).sorted()
            let required = Array(Set(property.forms.flatMap { $0.field.requiredIn })).sorted()
            var note = "KMIP \(versionRangeText(propertyVersions))"
            if !required.isEmpty && property.isOptional { note += "; required in \(versionRangeText(required))" }
            out += "    /// \(docEscape(property.doc)) (\(note)).\n"
            out += "    public var \(property.identifier): \(declaredType(property))\n"
        }
        // Memberwise initializer with defaults for optional and repeated fields.
        let parameters = properties.map { property -> String in
            let defaultValue = property.isArray ? " = []" : (property.isOptional ? " = nil" : "")
            return "\(property.identifier.trimmingCharacters(in: CharacterSet(charactersIn: "`"))): \(declaredType(property))\(defaultValue)"
        }
        out += "\n    /// Creates the \(model.operation == nil ? "value" : "payload") from its fields.\n"
        out += "    public init(\(parameters.joined(separator: ", "))) {\n"
        for property in properties {
            let bare = property.identifier.trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            out += "        self.\(bare) = \(property.identifier)\n"
        }
        out += "    }\n}\n"

        // Coding.
        out += "\nextension \(model.swiftName): KMIPCodable {\n"
        out += "    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {\n"
        if fields.isEmpty {
            out += "        try KMIPStructureReader(item, context: context).finish()\n"
        } else {
            out += "        var reader = try KMIPStructureReader(item, context: context)\n"
            for property in properties where property.forms.count > 1 || property.forms[0].rule?.spread == true {
                out += "        var \(localName(property)): \(declaredType(property).hasSuffix("?") || property.isArray ? declaredType(property) : declaredType(property) + "?") = \(property.isArray ? "[]" : "nil")\n"
            }
            for field in fields {
                let (property, rule) = owner(of: field, in: properties)
                let tag = tagCode(field)
                let target = property.forms.count > 1 || rule?.spread == true ? localName(property) : "self.\(property.identifier.trimmingCharacters(in: CharacterSet(charactersIn: "`")))"
                if field.xmlName.contains("|") {
                    out += "        \(target) = try reader.decodeManagedObject()\(property.isOptional ? "" : " ?? { throw reader.missing(.symmetricKey) }()")\n"
                } else if let rule, rule.spread {
                    out += "        let \(localName(property))List = try reader.decodeRepeated(\(tag), as: \(rule.form!).self)\n"
                    out += "        if !\(localName(property))List.isEmpty { \(target) = Attributes(\(localName(property))List, templateNames: []) }\n"
                } else if let rule, let form = rule.form {
                    let multi = property.forms.count > 1
                    if property.isArray {
                        out += "        \(target) \(multi ? "+=" : "=") try reader.decodeRepeated(\(tag), as: \(form).self).map(\\.value)\n"
                    } else if multi {
                        out += "        if let form = try reader.decodeIfPresent(\(tag), as: \(form).self) { \(target) = form.value }\n"
                    } else if property.isOptional {
                        out += "        \(target) = try reader.decodeIfPresent(\(tag), as: \(form).self)?.value\n"
                    } else {
                        out += "        \(target) = try reader.decode(\(tag), as: \(form).self).value\n"
                    }
                } else if property.isArray {
                    out += "        \(target) \(property.forms.count > 1 ? "+=" : "=") try reader.decodeRepeated(\(tag))\n"
                } else if property.forms.count > 1 {
                    out += "        if let value: \(property.type) = try reader.decodeIfPresent(\(tag)) { \(target) = value }\n"
                } else if property.isOptional {
                    out += "        \(target) = try reader.decodeIfPresent(\(tag))\n"
                } else {
                    out += "        \(target) = try reader.decode(\(tag))\n"
                }
            }
            for property in properties where property.forms.count > 1 || property.forms[0].rule?.spread == true {
                let bare = property.identifier.trimmingCharacters(in: CharacterSet(charactersIn: "`"))
                if property.isOptional || property.isArray {
                    out += "        self.\(bare) = \(localName(property))\n"
                } else if property.forms.contains(where: { $0.rule?.spread == true }) {
                    out += "        self.\(bare) = \(localName(property)) ?? Attributes()\n"
                } else {
                    out += "        guard let \(localName(property)) else { throw reader.missing(\(tagCode(property.forms[0].field))) }\n"
                    out += "        self.\(bare) = \(localName(property))\n"
                }
            }
            out += "        try reader.finish()\n"
        }
        out += "    }\n\n"
        out += "    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {\n"
        if fields.isEmpty {
            out += "        KMIPItem(tag, structure: [])\n"
        } else {
            out += "        var writer = KMIPStructureWriter(\"\(model.specName)\", context: context, capacity: \(min(fields.count, 8)))\n"
            for property in properties where property.forms.count > 1 {
                let all = Array(Set(property.forms.flatMap { $0.field.versions })).sorted()
                if all.count < 7 {
                    let present = property.isArray ? "!\(property.identifier).isEmpty" : (property.isOptional ? "\(property.identifier) != nil" : "true")
                    out += "        if \(present), !\(versionSetCode(all)).contains(context.version) { throw writer.unsupported(\(tagCode(property.forms[0].field)), \(versionSetCode(all))) }\n"
                }
            }
            for field in fields {
                let (property, rule) = owner(of: field, in: properties)
                let tag = tagCode(field)
                let versionsCode = versionSetCode(field.versions)
                // Responses are written as servers send them: required fields are checked on requests only.
                let requiredCode = model.kind == "response-payload" ? "[]" : versionSetCode(field.requiredIn)
                let method = property.forms.count > 1 ? "encodeForm" : "encode"
                var value = property.identifier
                if field.xmlName.contains("|") {
                    out += "        try writer.encodeManagedObject(\(value), versions: \(versionsCode), required: \(requiredCode))\n"
                    continue
                }
                if let rule, rule.spread {
                    value = property.isOptional ? "\(value)?.list ?? []" : "\(value).list"
                } else if let rule, let form = rule.form, rule.type == "Attributes", property.isOptional, !field.requiredIn.isEmpty,
                    model.kind != "response-payload"
                {
                    // A required attributes container is written empty rather than missing.
                    value = "\(form)(\(value) ?? Attributes())"
                } else if let rule, let form = rule.form {
                    value = property.isArray ? "\(value).map(\(form).init)" : (property.isOptional ? "\(value).map(\(form).init)" : "\(form)(\(value))")
                }
                out += "        try writer.\(method)(\(value), \(tag), versions: \(versionsCode), required: \(requiredCode))\n"
            }
            out += "        return writer.item(tag: tag)\n"
        }
        out += "    }\n}\n"
        if fields.contains(where: { sensitiveFields.contains($0.xmlName) }) {
            out += "\n/// Holds secrets: its description, debug description and mirror show them redacted.\n"
            out += "extension \(model.swiftName): KMIPSensitive {}\n"
        }
        return out
    }

    func declaredType(_ property: Property) -> String {
        if property.isArray { return "[\(property.type)]" }
        return property.isOptional ? "\(property.type)?" : property.type
    }

    func localName(_ property: Property) -> String {
        property.identifier.trimmingCharacters(in: CharacterSet(charactersIn: "`")) + "Value"
    }

    func owner(of field: WireField, in properties: [Property]) -> (Property, FieldRule?) {
        for property in properties {
            if let form = property.forms.first(where: { $0.field.xmlName == field.xmlName }) { return (property, form.rule) }
        }
        fatalError("no property for \(field.xmlName)")
    }

    func tagCode(_ field: WireField) -> String {
        "." + swiftIdentifier(fromXMLName: field.xmlName.split(separator: "|").first.map(String.init) ?? field.xmlName)
    }
}

func generateStructures(_ models: [StructureModel], generator: ModelGenerator, kinds: Set<String>, file: String) throws -> String {
    var out = String(format: header, "structures.tsv")
    for model in models where kinds.contains(model.kind) {
        out += try generator.generate(model)
    }
    return out
}

/// The payload dispatch: which typed payload an Operation's request or response carries.
func generatePayloadDispatch(_ models: [StructureModel]) -> String {
    var out = String(format: header, "structures.tsv and operations.tsv")
    for (kind, enumName, proto) in [("request-payload", "RequestPayload", "KMIPRequestPayload"), ("response-payload", "ResponsePayload", "KMIPResponsePayload")] {
        let payloads = models.filter { $0.kind == kind }
        let what = kind == "request-payload" ? "request" : "response"
        out += "\n/// The payload of a \(what) batch item: typed for every operation of KMIP 1.0 to 2.1, raw otherwise.\n"
        out += "public indirect enum \(enumName): Hashable, Sendable {\n"
        for model in payloads {
            out += "    /// The \(what) payload of \(model.operation!).\n"
            out += "    case \(caseName(model))(\(model.swiftName))\n"
        }
        if kind == "response-payload" {
            out += "    /// The response payload of Poll: the polled operation's payload, kept as its tree.\n"
            out += "    case poll(PollResponse)\n"
        }
        out += "    /// A payload the library has no model for (an unknown or vendor operation), kept as its tree.\n"
        out += "    case raw(KMIPItem)\n\n"
        out += "    /// The typed payload inside, or `nil` for a raw payload.\n"
        out += "    public var typed: (any \(proto))? {\n        switch self {\n"
        for model in payloads { out += "        case .\(caseName(model))(let payload): payload\n" }
        if kind == "response-payload" { out += "        case .poll(let payload): payload\n" }
        out += "        case .raw: nil\n        }\n    }\n\n"
        out += "    /// Wraps a typed payload.\n"
        out += "    public init(_ payload: some \(proto)) {\n        switch payload {\n"
        for model in payloads { out += "        case let payload as \(model.swiftName): self = .\(caseName(model))(payload)\n" }
        if kind == "response-payload" { out += "        case let payload as PollResponse: self = .poll(payload)\n" }
        out += "        default: preconditionFailure(\"\\(type(of: payload)) is not a generated payload\")\n        }\n    }\n\n"
        out += "    /// Decodes the payload of `operation` from `item`; an operation without a model gives `.raw`.\n"
        out += "    public init(operation: Operation, kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {\n"
        out += "        switch operation {\n"
        for model in payloads { out += "        case \(model.swiftName).operation: self = .\(caseName(model))(try \(model.swiftName)(kmipItem: item, context: context))\n" }
        if kind == "response-payload" { out += "        case PollResponse.operation: self = .poll(try PollResponse(kmipItem: item, context: context))\n" }
        out += "        default: self = .raw(item)\n        }\n    }\n\n"
        out += "    /// Encodes the payload with `tag` in the form of `context.version`.\n"
        out += "    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {\n        switch self {\n"
        for model in payloads { out += "        case .\(caseName(model))(let payload): try payload.kmipItem(tag: tag, context: context)\n" }
        if kind == "response-payload" { out += "        case .poll(let payload): try payload.kmipItem(tag: tag, context: context)\n" }
        out += "        case .raw(let item): KMIPItem(tag, item.value)\n        }\n    }\n}\n"
    }
    return out
}

func caseName(_ model: StructureModel) -> String {
    swiftIdentifier(fromXMLName: model.operationXML!)
}

// MARK: - Attribute accessors

/// Accessor names that would read badly or clash with collection members.
let attributeAccessorRenames: [String: String] = ["Description": "objectDescription"]

func generateAttributeAccessors(_ table: Table, generator: ModelGenerator) throws -> String {
    var order: [String] = []
    var rows: [String: (xml: String, versions: [Int], multi: Bool, sections: [String], encoding: String)] = [:]
    for row in table.rows {
        let name = row["attribute"]!
        if name == "Custom Attribute" || name == "Vendor Attribute" { continue }
        let version = knownVersions.firstIndex(of: row["version"]!)!
        if rows[name] == nil {
            order.append(name)
            rows[name] = (row["xml_name"]!, [], false, [], row["encoding"]!)
        }
        rows[name]!.versions.append(version)
        if row["single_or_multi"] == "multi-instance" { rows[name]!.multi = true }
        rows[name]!.sections.append("\(row["version"]!) §\(row["section"]!.components(separatedBy: ",").first!)")
    }
    var names = String(format: header, "attributes.tsv")
    names += "\nextension AttributeName {\n"
    var accessors = "\nextension Attributes {\n"
    for name in order {
        let facts = rows[name]!
        guard generator.tags[facts.xml] != nil else { throw GeneratorError("attribute \(name): no tag \(facts.xml)") }
        var type = generator.swiftType(of: WireField(xmlName: facts.xml, name: name, repeatable: false, versions: facts.versions, requiredIn: []))
        if type == "KMIPItem", let structure = generator.structureTypes.values.first(where: { $0 == typeName(fromSpecName: facts.encoding) }) {
            type = structure
        }
        let single = attributeAccessorRenames[name] ?? swiftIdentifier(fromXMLName: facts.xml)
        let identifier = facts.multi ? pluralIdentifier(single) : single
        let sections = facts.sections.first.map { s in facts.sections.count > 1 ? "\(s); \(facts.sections.last!)" : s } ?? ""
        let range = versionRangeText(facts.versions)
        names += "    /// \(name) (KMIP \(range); \(sections)).\n"
        names += "    public static let \(single) = AttributeName(vendorIdentification: nil, standardName: \"\(name)\")\n"
        if facts.multi {
            accessors += "    /// Every \(name) (multi-instance; KMIP \(range); \(sections)).\n"
            accessors += "    public var \(identifier): [\(type)] {\n        get { getAll(.\(single)) }\n        set { setValues(newValue, for: .\(single)) }\n    }\n"
        } else {
            accessors += "    /// \(name) (single-instance; KMIP \(range); \(sections)).\n"
            accessors += "    public var \(identifier): \(type)? {\n        get { get(.\(single)) }\n        set { set(newValue, for: .\(single)) }\n    }\n"
        }
    }
    return names + "}\n" + accessors + "}\n"
}
