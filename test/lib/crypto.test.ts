import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  decrypt,
  EncryptionError,
  encrypt,
  isEncrypted,
  reencrypt,
  sealedFor,
} from "../../src/lib/crypto";
import { checkKeys } from "../../src/lib/key-ring";
import { idOfKey, newEncryptionKey, sealV1 } from "../helpers/encryption";

const K1 = newEncryptionKey();
const K2 = newEncryptionKey();
const only = (key: string) => ({ ENCRYPTION_KEY: key });
const rotated = { ENCRYPTION_KEY: K2, ENCRYPTION_KEYS_PREVIOUS: K1 };
const here = sealedFor.endpointSecret("whep_a");

/** The failure a promise rejects with. */
async function failure(p: Promise<unknown>) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EncryptionError);
  const { failure, keyId, message } = err as EncryptionError;
  return { failure, keyId, message };
}

describe("encryption with a key ring", () => {
  it("round-trips under the current key, naming it by a derived id", async () => {
    const sealed = await encrypt(only(K1), here, "whsec_x");
    const id = createHash("sha256").update(Buffer.from(K1, "base64")).digest("hex").slice(0, 8);
    expect(await idOfKey(K1)).toBe(id);
    expect(sealed).toMatch(new RegExp(`^enc:v2:${id}:[A-Za-z0-9+/]+=*$`));
    expect(isEncrypted(sealed)).toBe(true);
    expect(sealed).not.toContain("whsec_x");
    expect(await decrypt(only(K1), here, sealed)).toBe("whsec_x");
    // Random IVs: the same text never seals the same way twice.
    expect(await encrypt(only(K1), here, "whsec_x")).not.toBe(sealed);
  });

  it("refuses a value sealed for another row or purpose", async () => {
    const sealed = await encrypt(only(K1), here, "whsec_x");
    const elsewhere = [
      sealedFor.endpointSecret("whep_b"),
      sealedFor.storedResponse({ tenant: { orgId: "whep_a", mode: "test" }, key: "k" }),
    ];
    for (const context of elsewhere) {
      expect(await failure(decrypt(only(K1), context, sealed))).toMatchObject({
        failure: "not_authentic",
        keyId: await idOfKey(K1),
      });
    }
    const tampered = sealed.slice(0, -6) + (sealed.endsWith("AAAA==") ? "BBBB==" : "AAAA==");
    expect((await failure(decrypt(only(K1), here, tampered))).failure).toBe("not_authentic");
  });

  it("opens v1 values (no key id, no context) with any key of the ring", async () => {
    const v1 = await sealV1(K1, "whsec_old");
    expect(await decrypt(only(K1), here, v1)).toBe("whsec_old");
    expect(await decrypt(rotated, here, v1)).toBe("whsec_old");
    expect((await failure(decrypt(only(K2), here, v1))).failure).toBe("not_authentic");
  });

  it("decrypts with a previous key and encrypts only with the current one", async () => {
    const old = await encrypt(only(K1), here, "whsec_x");
    expect(await decrypt(rotated, here, old)).toBe("whsec_x");
    expect(await encrypt(rotated, here, "y")).toMatch(`enc:v2:${await idOfKey(K2)}:`);
    const list = { ENCRYPTION_KEY: K2, ENCRYPTION_KEYS_PREVIOUS: ` ${newEncryptionKey()} , ${K1}` };
    expect(await decrypt(list, here, old)).toBe("whsec_x");
  });

  it("says which key id is missing from the ring", async () => {
    const old = await encrypt(only(K1), here, "whsec_x");
    const id = await idOfKey(K1);
    const err = await failure(decrypt(only(K2), here, old));
    expect(err).toEqual({
      failure: "unknown_key",
      keyId: id,
      message: `key id ${id} is not in ENCRYPTION_KEY/ENCRYPTION_KEYS_PREVIOUS`,
    });
  });

  it("names a missing or malformed ENCRYPTION_KEY, never its value", async () => {
    const old = await encrypt(only(K1), here, "whsec_x");
    expect(await failure(encrypt({}, here, "x"))).toMatchObject({ failure: "missing" });
    expect(await failure(decrypt({ ENCRYPTION_KEY: " " }, here, old))).toMatchObject({
      failure: "missing",
      message: "ENCRYPTION_KEY is not set",
    });
    const short = "c2hvcnQ=";
    const err = await failure(encrypt({ ENCRYPTION_KEY: short }, here, "x"));
    expect(err).toMatchObject({ failure: "malformed" });
    expect(err.message).toBe("ENCRYPTION_KEY is malformed: 5 bytes, expected 32");
    // A previous key alone cannot encrypt, but still decrypts.
    const previousOnly = { ENCRYPTION_KEYS_PREVIOUS: K1 };
    expect((await failure(encrypt(previousOnly, here, "x"))).failure).toBe("missing");
    expect(await decrypt(previousOnly, here, old)).toBe("whsec_x");
    expect((await failure(decrypt(only(K1), here, "whsec_plain"))).failure).toBe("not_encrypted");
  });

  it("checks the secrets without revealing them", () => {
    expect(checkKeys({ ENCRYPTION_KEY: K1 })).toEqual({});
    expect(checkKeys(rotated)).toEqual({});
    expect(checkKeys({})).toEqual({ ENCRYPTION_KEY: "missing" });
    const garbage = "not a key!";
    const bad = checkKeys({
      ENCRYPTION_KEY: garbage,
      ENCRYPTION_KEYS_PREVIOUS: `${K1},,c2hvcnQ=`,
    });
    expect(bad).toEqual({
      ENCRYPTION_KEY: "malformed: not base64 (expected base64 of 32 bytes)",
      ENCRYPTION_KEYS_PREVIOUS:
        "malformed: entry 2 of 3: empty; entry 3 of 3: 5 bytes, expected 32",
    });
    expect(JSON.stringify(bad)).not.toContain(garbage);
    expect(JSON.stringify(bad)).not.toContain(K1);
  });

  it("re-encrypts under the current key, and leaves a current value alone", async () => {
    const old = await encrypt(only(K1), here, "whsec_x");
    const again = await reencrypt(rotated, here, old);
    expect(again).toMatch(`enc:v2:${await idOfKey(K2)}:`);
    expect(await decrypt(only(K2), here, again ?? "")).toBe("whsec_x");
    expect(await reencrypt(rotated, here, again ?? "")).toBeNull();
    const v1 = await reencrypt(only(K1), here, await sealV1(K1, "whsec_v1"));
    expect(await decrypt(only(K1), here, v1 ?? "")).toBe("whsec_v1");
  });
});
