"""moto's server for the KMS tests, with KMS's documented key states enforced.

AWS KMS refuses every cryptographic operation with a key that is disabled
(DisabledException) or pending deletion (KMSInvalidStateException); that refusal is what
makes erasing a tenant by DisableKey immediate. moto records the state but still decrypts,
so this wrapper adds the check before starting moto's own server (ReEncrypt goes through
the same two methods). It also lets the state changes take a key's ARN, as KMS does.

Usage: python3 moto-kms.py -H 127.0.0.1 -p PORT
"""

from moto.core.exceptions import JsonRESTError
from moto.kms import models
from moto.kms.utils import _deserialize_ciphertext_blob
from moto.server import main


class DisabledException(JsonRESTError):
    code = 400

    def __init__(self, key_id):
        super().__init__("DisabledException", f"{key_id} is disabled.")


class KMSInvalidStateException(JsonRESTError):
    code = 400

    def __init__(self, key_id, state):
        super().__init__("KMSInvalidStateException", f"{key_id} is {state}.")


def usable(backend, key_id):
    key = backend.keys.get(backend.any_id_to_key_id(key_id))
    if key is None:
        return
    if key.key_state == "Disabled":
        raise DisabledException(key.arn)
    if key.key_state != "Enabled":
        raise KMSInvalidStateException(key.arn, key.key_state)


def key_of_blob(blob):
    try:
        return _deserialize_ciphertext_blob(ciphertext_blob=blob).key_id
    except Exception:
        return None


Backend = models.KmsBackend
original_encrypt = Backend.encrypt
original_decrypt = Backend.decrypt


def encrypt(self, key_id, plaintext, encryption_context):
    usable(self, key_id)
    return original_encrypt(self, key_id, plaintext, encryption_context)


def decrypt(self, ciphertext_blob, encryption_context, key_id=None):
    blob_key = key_of_blob(ciphertext_blob)
    if blob_key is not None:
        usable(self, blob_key)
    return original_decrypt(self, ciphertext_blob, encryption_context, key_id)


Backend.encrypt = encrypt
Backend.decrypt = decrypt


def by_any_id(method):
    """KMS takes a key's ARN wherever it takes its id; moto's state changes want the id."""

    def call(self, key_id, *args, **kwargs):
        return method(self, self.any_id_to_key_id(key_id), *args, **kwargs)

    return call


for name in ("disable_key", "enable_key", "schedule_key_deletion", "cancel_key_deletion"):
    setattr(Backend, name, by_any_id(getattr(Backend, name)))

if __name__ == "__main__":
    main()
