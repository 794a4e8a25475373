import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** PEM files of a throw-away certificate authority and the certificates it signed. */
export interface TestCertificates {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A second CA that signed nothing here: trusting it instead of `caCert` must fail. */
  readonly otherCaCert: string;
}

/**
 * Makes a self-signed CA, a server certificate for 127.0.0.1 and localhost (in the
 * subject alternative names, as TLS clients check), and a client certificate for
 * mutual TLS, with the `openssl` binary, in `dir`. Fails with the install command if
 * openssl is missing.
 */
export function makeTestCertificates(dir: string): TestCertificates {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
  } catch {
    throw new Error("the TLS tests need the openssl binary; install it with: sudo apt-get install openssl");
  }
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  const ca = (name: string) => {
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", `/CN=${name}`,
      "-keyout", file(`${name}.key`), "-out", file(`${name}.pem`),
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    return file(`${name}.pem`);
  };
  const signed = (name: string, extensions: string) => {
    writeFileSync(file(`${name}.ext`), extensions);
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${name}`, "-keyout", file(`${name}.key`), "-out", file(`${name}.csr`));
    openssl("x509", "-req", "-in", file(`${name}.csr`), "-CA", file("cxpulse-test-ca.pem"), "-CAkey", file("cxpulse-test-ca.key"),
      "-CAcreateserial", "-days", "2", "-out", file(`${name}.pem`), "-extfile", file(`${name}.ext`));
    return { cert: file(`${name}.pem`), key: file(`${name}.key`) };
  };
  const caCert = ca("cxpulse-test-ca");
  const otherCaCert = ca("cxpulse-other-ca");
  const server = signed(
    "server",
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n",
  );
  const client = signed("client", "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n");
  return { caCert, serverCert: server.cert, serverKey: server.key, clientCert: client.cert, clientKey: client.key, otherCaCert };
}
