// `plateau token`: signs a bearer token for the Mesos APIs with the masters' --jwt_secret_key (for
// tools and scripts that should not hold a principal's secret). The token names the principal and
// expires after --ttl; the masters accept it as `Authorization: Bearer <token>`.
import { FlagError, parseFlags, renderHelp, type FlagSpecs } from "../cli/flags";
import { CredentialsError, readFlagFile } from "./credentials";
import { signToken } from "./token";

const TOKEN_FLAGS: FlagSpecs = {
  jwt_secret_key: { type: "string", placeholder: "file", help: "The key file the masters were started with (--jwt_secret_key)." },
  principal: { type: "string", placeholder: "principal", help: "Principal the token speaks for (ACLs apply to it)." },
  ttl: { type: "duration", default: "1hrs", help: "Lifetime of the token." },
};

export function runTokenCli(argv: string[]): void {
  try {
    const parsed = parseFlags(argv, TOKEN_FLAGS);
    if (parsed.help) {
      console.log(renderHelp("Usage: plateau token --jwt_secret_key=<file> --principal=<p> [--ttl=1hrs]\n\nPrints a bearer token for the Mesos APIs.", TOKEN_FLAGS));
      return;
    }
    const keyFile = parsed.values.jwt_secret_key as string | undefined;
    const principal = parsed.values.principal as string | undefined;
    if (!keyFile) throw new FlagError("Missing required flag --jwt_secret_key");
    if (!principal) throw new FlagError("Missing required flag --principal");
    const key = Buffer.from(readFlagFile(keyFile, "jwt_secret_key").trim(), "utf8");
    if (key.length < 32) throw new FlagError("Failed to load flag 'jwt_secret_key': the key must be at least 32 bytes");
    const now = Date.now();
    const ttl = Number(parsed.values.ttl);
    console.log(signToken(key, { sub: principal, kind: "bearer", iat: Math.floor(now / 1000), exp: Math.floor((now + ttl) / 1000) }));
  } catch (err) {
    if (err instanceof FlagError || err instanceof CredentialsError) {
      console.error(`${err.message}\n\nSee 'plateau token --help'.`);
      process.exit(1);
    }
    throw err;
  }
}
