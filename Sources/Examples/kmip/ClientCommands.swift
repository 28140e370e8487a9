// swift-kmip: the `kmip` command line tool.
//
// Everyday operations against a KMIP server. Connection options come after the subcommand.

import ArgumentParser
import Foundation
import KMIP

/// Parses an enumeration value by its specification name, XML name or a loose spelling
/// (`aes`, `symmetric-key`, `cessation`).
func enumeration<E: KMIPEnumeration>(_ text: String, as type: E.Type, what: String) throws -> E {
    if let value = E(named: text) { return value }
    let loose = text.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "").lowercased()
    if let definition = KMIPRegistry.standard.enumeration(named: E.enumerationName) {
        let matches = definition.values.filter {
            let name = $0.xmlName.replacingOccurrences(of: "_", with: "").lowercased()
            return name == loose || name.hasPrefix(loose)
        }
        if let exact = matches.first(where: { $0.xmlName.replacingOccurrences(of: "_", with: "").lowercased() == loose }) {
            return E(rawValue: exact.value)
        }
        if matches.count == 1 { return E(rawValue: matches[0].value) }
    }
    throw ValidationError("unknown \(what) '\(text)'")
}

func identifier(_ text: String) -> UniqueIdentifier { .text(text) }

struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a symmetric key; prints its Unique Identifier as the last line.")

    @Option(help: "Cryptographic Algorithm (AES, ChaCha20, HMAC-SHA256, ...).")
    var algorithm = "AES"
    @Option(help: "Cryptographic Length in bits.")
    var length: Int32 = 256
    @Option(help: "A Name for the key.")
    var name: String?
    @Option(help: "An Object Group for the key.")
    var group: String?
    @Option(help: "Cryptographic Usage Mask, comma separated (default encrypt,decrypt; servers such as PyKMIP need one).")
    var usage = "encrypt,decrypt"
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let algorithm = try enumeration(algorithm, as: CryptographicAlgorithm.self, what: "algorithm")
        let usage = try parseUsage(usage)
        try await withClient(connection) { client in
            let id = try await client.createSymmetricKey(algorithm: algorithm, length: length, usage: usage, name: name, objectGroup: group)
            emit(connection, json: ["uniqueIdentifier": "\(id)"], lines: ["\(id)"])
        }
    }
}

func parseUsage(_ text: String) throws -> CryptographicUsageMask {
    var mask = CryptographicUsageMask()
    guard let definition = KMIPRegistry.standard.enumeration(named: "Cryptographic Usage Mask") else { return mask }
    for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
        let loose = part.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "").lowercased()
        guard let entry = definition.values.first(where: { $0.xmlName.replacingOccurrences(of: "_", with: "").lowercased() == loose }) else {
            throw ValidationError("unknown usage '\(part)' (for example encrypt, decrypt, wrap-key, sign, verify)")
        }
        mask.insert(CryptographicUsageMask(rawValue: entry.value))
    }
    return mask
}

struct CreateKeyPair: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-key-pair", abstract: "Create an asymmetric key pair; prints the private and the public key's identifiers.")

    @Option(help: "Cryptographic Algorithm (RSA, EC, ...).")
    var algorithm = "RSA"
    @Option(help: "Cryptographic Length in bits.")
    var length: Int32 = 2048
    @Option(help: "A Name for both keys (suffixed -private and -public).")
    var name: String?
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let algorithm = try enumeration(algorithm, as: CryptographicAlgorithm.self, what: "algorithm")
        try await withClient(connection) { client in
            var privateAttributes = Attributes(), publicAttributes = Attributes()
            if let name {
                privateAttributes.names = [Name(nameValue: "\(name)-private", nameType: .uninterpretedTextString)]
                publicAttributes.names = [Name(nameValue: "\(name)-public", nameType: .uninterpretedTextString)]
            }
            let pair = try await client.createKeyPair(
                algorithm: algorithm, length: length, privateKeyAttributes: privateAttributes, publicKeyAttributes: publicAttributes)
            emit(connection, json: ["privateKey": "\(pair.privateKey)", "publicKey": "\(pair.publicKey)"],
                 lines: ["private key: \(pair.privateKey)", "public key: \(pair.publicKey)"])
        }
    }
}

struct Register: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Register a key or secret made elsewhere; prints its Unique Identifier.")

    enum Kind: String, ExpressibleByArgument, CaseIterable { case symmetricKey = "symmetric-key", secretData = "secret-data", opaque }

    @Option(help: "What to register: symmetric-key, secret-data or opaque.")
    var type: Kind = .secretData
    @Option(help: "The value as hex.")
    var hexValue: String?
    @Option(help: "A file holding the value.")
    var file: String?
    @Option(help: "Cryptographic Algorithm of a symmetric key.")
    var algorithm = "AES"
    @Option(help: "Cryptographic Usage Mask, comma separated.")
    var usage = "encrypt,decrypt"
    @Option(help: "A Name for the object.")
    var name: String?
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let value: [UInt8]
        if let hexValue {
            value = try parseHex(hexValue, what: "--hex-value")
        } else if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
            value = [UInt8](data)
        } else {
            throw ValidationError("give the value with --hex-value HEX or --file FILE")
        }
        var attributes = Attributes()
        attributes.cryptographicUsageMask = try parseUsage(usage)
        if let name { attributes.names = [Name(nameValue: name, nameType: .uninterpretedTextString)] }
        let object: ManagedObject
        switch type {
        case .symmetricKey:
            object = .symmetricKey(SymmetricKey(keyBlock: .raw(value, algorithm: try enumeration(algorithm, as: CryptographicAlgorithm.self, what: "algorithm"))))
        case .secretData:
            object = .secretData(SecretData(secretDataType: .password, keyBlock: KeyBlock(keyFormatType: .opaque, keyValue: .plain(.bytes(value)))))
        case .opaque:
            attributes.cryptographicUsageMask = nil
            object = .opaqueObject(OpaqueObject(opaqueDataType: RawEnumeration(rawValue: 0x8000_0000), opaqueDataValue: value))
        }
        try await withClient(connection) { client in
            let id = try await client.register(object, attributes: attributes)
            emit(connection, json: ["uniqueIdentifier": "\(id)"], lines: ["\(id)"])
        }
    }
}

struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Get an object; prints a summary (key material only with --reveal).")

    @Argument(help: "The object's Unique Identifier.")
    var id: String
    @Flag(help: "Print the key material (hex).")
    var reveal = false
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        try await withClient(connection) { client in
            let response = try await client.get(identifier(id))
            let block = response.object.keyBlock
            let bytes = block?.keyBytes
            var lines = ["unique identifier: \(response.uniqueIdentifier)", "object type: \(response.objectType)"]
            var json: [String: Any] = ["uniqueIdentifier": "\(response.uniqueIdentifier)", "objectType": "\(response.objectType)"]
            if let block {
                lines.append("key format: \(block.keyFormatType)")
                json["keyFormatType"] = "\(block.keyFormatType)"
                if let algorithm = block.cryptographicAlgorithm { lines.append("algorithm: \(algorithm)"); json["cryptographicAlgorithm"] = "\(algorithm)" }
                if let length = block.cryptographicLength { lines.append("length: \(length)"); json["cryptographicLength"] = Int(length) }
            }
            if let bytes {
                if reveal {
                    lines.append("key material: \(hex(bytes))")
                    json["keyMaterial"] = hex(bytes)
                } else {
                    lines.append("key material: <\(bytes.count) bytes; --reveal to print>")
                    json["keyMaterialLength"] = bytes.count
                }
            }
            emit(connection, json: json, lines: lines)
        }
    }
}

struct AttributesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attributes", abstract: "Get, add, set, modify or delete an object's attributes.",
        subcommands: [GetAttributes.self, ChangeAttribute.self, DeleteAttribute.self])

    struct GetAttributes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Print attributes (all, or the ones named).")
        @Argument(help: "The object's Unique Identifier.") var id: String
        @Argument(help: "Attribute names (\"Cryptographic Length\", State, x-Custom); all when none.") var names: [String] = []
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await withClient(connection) { client in
                let attributes = try await client.getAttributes(identifier(id), names.map { AttributeName($0) })
                var json: [String: Any] = [:]
                var lines: [String] = []
                for attribute in attributes {
                    let text = describe(attribute.value, name: attribute.name)
                    lines.append("\(attribute.name): \(text)")
                    json["\(attribute.name)"] = text
                }
                emit(connection, json: json, lines: lines)
            }
        }
    }

    struct ChangeAttribute: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "change", abstract: "Add, set or modify an attribute with a text, number, Boolean or enumeration value.",
            aliases: ["add", "set", "modify"])
        @Option(help: "add, set (2.0+) or modify.") var how = "add"
        @Argument(help: "The object's Unique Identifier.") var id: String
        @Argument(help: "The attribute's name.") var name: String
        @Argument(help: "The value (an enumeration by name, a number, true/false, or text).") var value: String
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let attributeName = AttributeName(name)
            let attribute = Attribute(name: attributeName, value: try parseAttributeValue(value, for: attributeName))
            try await withClient(connection) { client in
                switch how {
                case "add": _ = try await client.perform(AddAttributeRequest(uniqueIdentifier: identifier(id), attribute: attribute))
                case "set": _ = try await client.perform(SetAttributeRequest(uniqueIdentifier: identifier(id), attribute: attribute))
                case "modify": _ = try await client.perform(ModifyAttributeRequest(uniqueIdentifier: identifier(id), attribute: attribute))
                default: throw ValidationError("--how must be add, set or modify")
                }
                emit(connection, json: ["uniqueIdentifier": id], lines: [id])
            }
        }
    }

    struct DeleteAttribute: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete an attribute.")
        @Argument(help: "The object's Unique Identifier.") var id: String
        @Argument(help: "The attribute's name.") var name: String
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await withClient(connection) { client in
                _ = try await client.perform(DeleteAttributeRequest(uniqueIdentifier: identifier(id), attributeName: AttributeName(name)))
                emit(connection, json: ["uniqueIdentifier": id], lines: [id])
            }
        }
    }
}

/// A value for an attribute typed as the registry says its tag is.
func parseAttributeValue(_ text: String, for name: AttributeName) throws -> KMIPItem.Value {
    guard let tag = name.tag, let definition = KMIPRegistry.standard.definition(of: tag), let type = definition.itemTypes.last else {
        return .textString(text)
    }
    switch type {
    case .integer:
        if let number = Int32(text) { return .integer(number) }
        if tag == .cryptographicUsageMask { return .integer(Int32(bitPattern: try parseUsage(text).rawValue)) }
        throw ValidationError("\(name) takes a number")
    case .longInteger:
        guard let number = Int64(text) else { throw ValidationError("\(name) takes a number") }
        return .longInteger(number)
    case .boolean:
        guard let flag = Bool(text.lowercased()) else { throw ValidationError("\(name) takes true or false") }
        return .boolean(flag)
    case .enumeration:
        if let enumeration = KMIPRegistry.standard.enumeration(for: tag), let value = enumeration.value(named: text) { return .enumeration(value) }
        throw ValidationError("unknown value '\(text)' for \(name)")
    case .textString:
        return .textString(text)
    default:
        throw ValidationError("\(name) is a \(type) attribute; the tool sets text, number, Boolean and enumeration attributes")
    }
}

func describe(_ value: KMIPItem.Value, name: AttributeName) -> String {
    let item = KMIPItem(name.tag ?? .attributeValue, value)
    let dump = item.dump()
    // One line for simple values: the part after the type.
    let lines = dump.split(separator: "\n")
    if lines.count == 1, let range = lines[0].range(of: ") ") {
        return String(lines[0][range.upperBound...]).split(separator: " ", maxSplits: 1).dropFirst().joined()
    }
    return lines.dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "; ")
}

struct Locate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Find objects; prints one Unique Identifier per line.")

    @Option(help: "Name.") var name: String?
    @Option(help: "Object Type (symmetric-key, private-key, secret-data, ...).") var type: String?
    @Option(help: "Cryptographic Algorithm.") var algorithm: String?
    @Option(help: "Cryptographic Length.") var length: Int32?
    @Option(help: "State (pre-active, active, deactivated, ...).") var state: String?
    @Option(help: "Object Group.") var group: String?
    @Option(help: "At most this many identifiers.") var max: Int32?
    @Option(help: "Skip this many (paging, KMIP 1.3+).") var offset: Int32?
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        var filter = Attributes()
        if let name { filter.names = [Name(nameValue: name, nameType: .uninterpretedTextString)] }
        if let type { filter.objectType = try enumeration(type, as: ObjectType.self, what: "object type") }
        if let algorithm { filter.cryptographicAlgorithm = try enumeration(algorithm, as: CryptographicAlgorithm.self, what: "algorithm") }
        if let length { filter.cryptographicLength = length }
        if let state { filter.state = try enumeration(state, as: State.self, what: "state") }
        if let group { filter.objectGroups = [group] }
        try await withClient(connection) { client in
            let ids = try await client.locate(filter, maximumItems: max, offsetItems: offset)
            emit(connection, json: ["uniqueIdentifiers": ids.map { "\($0)" }], lines: ids.map { "\($0)" })
        }
    }
}

struct Activate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Activate an object (Pre-Active to Active).")
    @Argument(help: "The object's Unique Identifier.") var id: String
    @OptionGroup var connection: ConnectionOptions
    func run() async throws {
        try await withClient(connection) { client in
            try await client.activate(identifier(id))
            emit(connection, json: ["uniqueIdentifier": id], lines: [id])
        }
    }
}

struct Revoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Revoke an object (default reason: cessation of operation).")
    @Argument(help: "The object's Unique Identifier.") var id: String
    @Option(help: "cessation, compromise, superseded, affiliation-changed, ca-compromise, privilege-withdrawn, unspecified.")
    var reason = "cessation"
    @Option(help: "A Revocation Message.") var message: String?
    @OptionGroup var connection: ConnectionOptions
    func run() async throws {
        let code: RevocationReasonCode = switch reason {
        case "compromise": .keyCompromise
        case "cessation": .cessationOfOperation
        default: try enumeration(reason, as: RevocationReasonCode.self, what: "revocation reason")
        }
        let compromise = code == .keyCompromise ? KMIPDateTime(secondsSince1970: Int64(Date().timeIntervalSince1970)) : nil
        try await withClient(connection) { client in
            try await client.revoke(identifier(id), reason: code, message: message, compromiseDate: compromise)
            emit(connection, json: ["uniqueIdentifier": id], lines: [id])
        }
    }
}

struct Destroy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Destroy an object's key material.")
    @Argument(help: "The object's Unique Identifier.") var id: String
    @OptionGroup var connection: ConnectionOptions
    func run() async throws {
        try await withClient(connection) { client in
            try await client.destroy(identifier(id))
            emit(connection, json: ["uniqueIdentifier": id], lines: [id])
        }
    }
}

struct Rekey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Replace a symmetric key (Re-key); prints the new key's identifier.")
    @Argument(help: "The key's Unique Identifier.") var id: String
    @OptionGroup var connection: ConnectionOptions
    func run() async throws {
        try await withClient(connection) { client in
            let new = try await client.perform(ReKeyRequest(uniqueIdentifier: identifier(id))).uniqueIdentifier
            emit(connection, json: ["uniqueIdentifier": "\(new)"], lines: ["\(new)"])
        }
    }
}

struct Encrypt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Encrypt data with a key on the server (AES-CBC with PKCS#5 padding by default).")
    @Argument(help: "The key's Unique Identifier.") var id: String
    @Option(help: "The data as text.") var text: String?
    @Option(help: "The data as hex.") var hexData: String?
    @Option(help: "Block cipher mode (CBC, GCM, ...).") var mode = "CBC"
    @OptionGroup var connection: ConnectionOptions
    func run() async throws {
        let data = try hexData.map { try parseHex($0, what: "--hex-data") } ?? text.map { Array($0.utf8) }
        guard let data else { throw ValidationError("give the data with --text or --hex-data") }
        let mode = try enumeration(mode, as: BlockCipherMode.self, what: "mode")
        let parameters = CryptographicParameters(
            blockCipherMode: mode, paddingMethod: mode == .cbc ? .pkcs5 : nil, cryptographicAlgorithm: .aes, randomIV: true)
        try await withClient(connection) { client in
            let response = try await client.perform(EncryptRequest(uniqueIdentifier: identifier(id), cryptographicParameters: parameters, data: data))
            let iv = response.ivCounterNonce.map(hex) ?? ""
            emit(connection, json: ["data": hex(response.data ?? []), "iv": iv], lines: ["data: \(hex(response.data ?? []))", "iv: \(iv)"])
        }
    }
}

struct Decrypt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Decrypt data with a key on the server; prints the plaintext as hex (--text: as UTF-8).")
    @Argument(help: "The key's Unique Identifier.") var id: String
    @Option(help: "The ciphertext as hex.") var hexData: String
    @Option(help: "The IV as hex.") var iv: String?
    @Option(help: "Block cipher mode (CBC, GCM, ...).") var mode = "CBC"
    @Flag(help: "Print the plaintext as UTF-8 text.") var text = false
    @OptionGroup var connection: ConnectionOptions
    func run() async throws {
        let data = try parseHex(hexData, what: "--hex-data")
        let ivBytes = try iv.map { try parseHex($0, what: "--iv") }
        let mode = try enumeration(mode, as: BlockCipherMode.self, what: "mode")
        let parameters = CryptographicParameters(blockCipherMode: mode, paddingMethod: mode == .cbc ? .pkcs5 : nil, cryptographicAlgorithm: .aes)
        try await withClient(connection) { client in
            let response = try await client.perform(DecryptRequest(
                uniqueIdentifier: identifier(id), cryptographicParameters: parameters, data: data, ivCounterNonce: ivBytes))
            let plain = response.data ?? []
            let shown = text ? String(decoding: plain, as: UTF8.self) : hex(plain)
            emit(connection, json: ["data": shown], lines: [shown])
        }
    }
}

struct Query: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Ask the server what it supports.")
    @OptionGroup var connection: ConnectionOptions
    func run() async throws {
        try await withClient(connection) { client in
            let query = try await client.query([.queryOperations, .queryObjects, .queryServerInformation])
            let version = try await client.protocolVersion()
            emit(connection, json: [
                "protocolVersion": "\(version)", "vendorIdentification": query.vendorIdentification ?? "",
                "operations": query.operations.map { "\($0)" }, "objectTypes": query.objectTypes.map { "\($0)" },
            ], lines: [
                "protocol version: \(version)", "vendor: \(query.vendorIdentification ?? "-")",
                "operations: \(query.operations.map { "\($0)" }.joined(separator: ", "))",
                "object types: \(query.objectTypes.map { "\($0)" }.joined(separator: ", "))",
            ])
        }
    }
}

struct Versions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The protocol versions the server supports (Discover Versions) and the one negotiated.")
    @OptionGroup var connection: ConnectionOptions
    func run() async throws {
        try await withClient(connection) { client in
            let negotiated = try await client.protocolVersion()
            let versions = try await client.discoverVersions()
            emit(connection, json: ["negotiated": "\(negotiated)", "server": versions.map { "\($0)" }],
                 lines: ["negotiated: \(negotiated)", "server: \(versions.map { "\($0)" }.joined(separator: ", "))"])
        }
    }
}
