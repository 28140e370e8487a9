// swift-kmip: KMIPTTLV
//
// A readable dump of an item tree, with key material redacted.

extension KMIPItem {
    /// The tags whose values the dump hides unless asked: key material, private key parts,
    /// passwords, and the Data of cryptographic operations.
    public static let sensitiveTags: Set<Tag> = [
        .keyMaterial, .keyValue, .key, .d, .p, .q, .privateExponent, .primeExponentP, .primeExponentQ,
        .crtCoefficient, .x, .password, .oneTimePassword, .hashedPassword, .serverHashedPassword,
        .ticketValue, .data,
    ]

    /// A readable, indented rendering of the tree: one item per line with its name, tag, type and
    /// value, enumerations and masks by name.
    ///
    /// ```
    /// RequestMessage (0x420078) Structure
    ///   RequestHeader (0x420077) Structure
    ///     ProtocolVersion (0x420069) Structure
    ///       ProtocolVersionMajor (0x42006A) Integer = 1
    /// ```
    ///
    /// - Parameters:
    ///   - revealingSecrets: show the values of ``sensitiveTags`` (key material, passwords);
    ///     they are replaced by `<redacted, N bytes>` otherwise.
    ///   - registry: names tags and enumeration values.
    ///   - version: whose names to prefer for renamed values; read from the message's Protocol
    ///     Version when `nil`.
    public func dump(revealingSecrets: Bool = false, registry: KMIPRegistry = .standard, version: KMIPVersion? = nil) -> String {
        var out = ""
        let version = version ?? protocolVersion
        dump(into: &out, indent: 0, reveal: revealingSecrets, registry: registry, version: version)
        return out
    }

    /// The Protocol Version of a Request or Response Message, if this is one.
    package var protocolVersion: KMIPVersion? {
        guard let header = child(.requestHeader) ?? child(.responseHeader),
            let version = header.child(.protocolVersion),
            case .integer(let major)? = version.child(.protocolVersionMajor)?.value,
            case .integer(let minor)? = version.child(.protocolVersionMinor)?.value
        else { return nil }
        return KMIPVersion(major, minor)
    }

    private func dump(into out: inout String, indent: Int, reveal: Bool, registry: KMIPRegistry, version: KMIPVersion?) {
        out += String(repeating: "  ", count: indent)
        let name = registry.definition(of: tag)?.xmlName
        out += name.map { "\($0) (\(tag.hexString))" } ?? tag.hexString
        out += " \(itemType)"
        if case .structure(let children) = value {
            out += "\n"
            for child in children {
                child.dump(into: &out, indent: indent + 1, reveal: reveal, registry: registry, version: version)
            }
            return
        }
        out += " = "
        if !reveal && Self.sensitiveTags.contains(tag) {
            switch value {
            case .byteString(let bytes): out += "<redacted, \(bytes.count) bytes>\n"
            case .textString(let text): out += "<redacted, \(text.utf8.count) bytes>\n"
            case .bigInteger(let number): out += "<redacted, \(number.twosComplementBytes.count) bytes>\n"
            default: out += "<redacted>\n"
            }
            return
        }
        out += renderedValue(registry: registry, version: version)
        out += "\n"
    }

    private func renderedValue(registry: KMIPRegistry, version: KMIPVersion?) -> String {
        switch value {
        case .structure: return ""
        case .integer(let number):
            if let mask = registry.enumeration(for: tag), mask.kind == .mask {
                let bits = UInt32(bitPattern: number)
                let names = mask.maskComponents(for: bits, in: version)
                return (names.isEmpty ? "0" : names.joined(separator: "|")) + " (0x\(hexDigits(UInt64(bits), width: 8)))"
            }
            return String(number)
        case .longInteger(let number): return String(number)
        case .bigInteger(let number): return "\(number) (0x\(Hex.encode(number.paddedBytes)))"
        case .enumeration(let raw):
            let hex = "0x" + hexDigits(UInt64(raw), width: 8)
            if let entry = registry.enumeration(for: tag)?.entry(for: raw, in: version) {
                return "\(entry.xmlName) (\(hex))"
            }
            return hex
        case .boolean(let flag): return String(flag)
        case .textString(let text): return "\"" + text.replacingEscapes() + "\""
        case .byteString(let bytes): return bytes.isEmpty ? "(empty)" : Hex.encode(bytes)
        case .dateTime(let seconds): return "\(CivilTime.iso8601(seconds: seconds)) (\(seconds))"
        case .interval(let seconds): return "\(seconds) s"
        case .dateTimeExtended(let microseconds):
            let (seconds, fraction) = CivilTime.floorDivision(microseconds, 1_000_000)
            return "\(CivilTime.iso8601(seconds: seconds, microseconds: fraction)) (\(microseconds) µs)"
        }
    }
}

extension String {
    /// The text with quotes, backslashes and control characters escaped, for one-line display.
    fileprivate func replacingEscapes() -> String {
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
