#!/usr/bin/env python3
"""PyKMIP 0.11.0's own client (an independent implementation) against the swift-kmip reference
server: prints one `ok NAME` or `FAIL NAME: why` line per step, exits 1 if any step failed.

    pykmip_client_interop.py --port P --certs DIR [--version 1.2|2.0]
"""
import argparse, logging, sys
from kmip.pie.client import ProxyKmipClient
from kmip.pie import objects
from kmip.core import enums

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--certs", required=True)
parser.add_argument("--version", default="1.2")
arguments = parser.parse_args()
logging.disable(logging.CRITICAL)
version = {"1.2": enums.KMIPVersion.KMIP_1_2, "1.4": enums.KMIPVersion.KMIP_1_4, "2.0": enums.KMIPVersion.KMIP_2_0}[arguments.version]

failed = False
def step(name, function):
    global failed
    try:
        result = function()
        print(f"ok {name}")
        return result
    except Exception as error:  # report and go on
        failed = True
        print(f"FAIL {name}: {type(error).__name__}: {error}")
        return None

client = ProxyKmipClient(
    hostname="127.0.0.1", port=arguments.port, cert=f"{arguments.certs}/client.pem", key=f"{arguments.certs}/client.key",
    ca=f"{arguments.certs}/ca.pem", config_file="/dev/null", kmip_version=version)
client.open()
name = f"pykmip-interop-{arguments.version}"
key_id = step("create", lambda: client.create(
    enums.CryptographicAlgorithm.AES, 256, name=name,
    cryptographic_usage_mask=[enums.CryptographicUsageMask.ENCRYPT, enums.CryptographicUsageMask.DECRYPT]))
def get():
    key = client.get(key_id)
    assert len(key.value) == 32, f"{len(key.value)} key bytes"
step("get", get)
def attributes():
    _, found = client.get_attributes(key_id, ["State", "Cryptographic Length"])
    values = {a.attribute_name.value: a.attribute_value for a in found}
    assert str(values["State"]) in ("State.PRE_ACTIVE", "PRE_ACTIVE") or "PRE_ACTIVE" in str(values["State"]), values
step("get attributes", attributes)
step("get attribute list", lambda: client.get_attribute_list(key_id))
def locate():
    ids = client.locate(attributes=[client.attribute_factory.create_attribute(enums.AttributeType.NAME, name)])
    assert ids == [key_id], ids
step("locate by name", locate)
step("activate", lambda: client.activate(key_id))
step("revoke", lambda: client.revoke(enums.RevocationReasonCode.CESSATION_OF_OPERATION, key_id))
step("destroy", lambda: client.destroy(key_id))
secret = objects.SecretData(b"ftp-password", enums.SecretDataType.PASSWORD, masks=[enums.CryptographicUsageMask.DERIVE_KEY])
secret_id = step("register secret data", lambda: client.register(secret))
step("get registered", lambda: client.get(secret_id))
def create_key_pair():
    public_id, private_id = client.create_key_pair(enums.CryptographicAlgorithm.RSA, 2048)
    public_key = client.get(public_id)
    private_key = client.get(private_id)
    assert public_key.cryptographic_length == 2048 and private_key.cryptographic_length == 2048, (public_key, private_key)
    assert len(private_key.value) > len(public_key.value) > 256, (len(private_key.value), len(public_key.value))
step("create key pair", create_key_pair)
def query():
    result = client.proxy.query(query_functions=[enums.QueryFunction.QUERY_OPERATIONS, enums.QueryFunction.QUERY_OBJECTS])
    assert result.result_status.value == enums.ResultStatus.SUCCESS, result.result_message
    operations = {int(getattr(operation.value, "value", operation.value)) for operation in result.operations}
    wanted = {operation.value for operation in (enums.Operation.CREATE, enums.Operation.CREATE_KEY_PAIR, enums.Operation.GET, enums.Operation.LOCATE)}
    assert wanted <= operations, operations
step("query", query)
client.close()
sys.exit(1 if failed else 0)
