/**
 * The database bootstrap, run by the `mlflow-db-bootstrap` Job (on every change of the script)
 * and by its CronJob (rotation), in MLflow's own image (python, psycopg2 and boto3: the server
 * needs boto3 for its S3 artifact root). It connects as the RDS master user (libpq's PG*
 * variables) and converges:
 *
 * 1. the app roles: `APP_OWNER_ROLE` (NOLOGIN) and the `APP_LOGIN_ROLES`, members of it that
 *    switch to it at login; none may create roles or databases; a superuser, replication or
 *    BYPASSRLS role of that name is refused (the master cannot take those attributes away);
 * 2. `APP_DATABASES` exist and belong to the owner role (created, or handed over from the master
 *    for a registry that ran as the master before), with CONNECT revoked from PUBLIC; in each,
 *    the schemas, tables, views, sequences and types the master owns are handed over too;
 * 3. the password: the Secrets Manager secret `APP_SECRET_ID` (`{"username","password"}`) is
 *    created on the first run (a new random password), replaced on a rotation (`ROTATE=1`: a new
 *    password on the login role the secret does not name, set in PostgreSQL before the secret
 *    names it), and otherwise applied to the role it names (a restored database converges).
 *
 * The password reaches PostgreSQL only as a SCRAM-SHA-256 verifier computed here, so it is never
 * in a statement the server could log. Every name goes through psycopg2's quoting.
 */
export const DATABASE_BOOTSTRAP_SCRIPT = String.raw`
import base64, hashlib, hmac, json, os, secrets, sys
import boto3, psycopg2, psycopg2.errors
from psycopg2 import sql

OWNER = os.environ["APP_OWNER_ROLE"]
LOGINS = os.environ["APP_LOGIN_ROLES"].split(",")
DATABASES = os.environ["APP_DATABASES"].split(",")
SECRET_ID = os.environ["APP_SECRET_ID"]
ROTATE = os.environ.get("ROTATE") == "1"
I = sql.Identifier

def verifier(password):
    # PostgreSQL's SCRAM-SHA-256 verifier (RFC 5802, RFC 7677; src/common/scram-common.c).
    salt, iterations = secrets.token_bytes(16), 4096
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    stored = hashlib.sha256(hmac.new(salted, b"Client Key", "sha256").digest()).digest()
    server = hmac.new(salted, b"Server Key", "sha256").digest()
    b64 = lambda b: base64.b64encode(b).decode()
    return "SCRAM-SHA-256$%d:%s$%s:%s" % (iterations, b64(salt), b64(stored), b64(server))

def connect(dbname=None):
    conn = psycopg2.connect(dbname=dbname) if dbname else psycopg2.connect("")
    conn.autocommit = True
    return conn, conn.cursor()

conn, cur = connect()
cur.execute("SELECT current_user")
master = cur.fetchone()[0]

def role(name, login):
    cur.execute("SELECT rolsuper OR rolreplication OR rolbypassrls FROM pg_roles WHERE rolname = %s", (name,))
    row = cur.fetchone()
    if row is None:
        try:
            cur.execute(sql.SQL("CREATE ROLE {} " + ("LOGIN" if login else "NOLOGIN")).format(I(name)))
        except psycopg2.errors.DuplicateObject:
            pass  # a concurrent run created it
    elif row[0]:
        sys.exit(f"role {name} is a superuser, replication or BYPASSRLS role; refusing to hand MLflow's data to it")
    cur.execute(sql.SQL("ALTER ROLE {} " + ("LOGIN" if login else "NOLOGIN") + " NOCREATEDB NOCREATEROLE").format(I(name)))

role(OWNER, False)
# The master must be a member of the owner role to hand databases and objects over to it.
cur.execute(sql.SQL("GRANT {} TO {}").format(I(OWNER), I(master)))
for login in LOGINS:
    role(login, True)
    cur.execute(sql.SQL("GRANT {} TO {}").format(I(OWNER), I(login)))
    # At login the session becomes the owner role: what MLflow creates belongs to OWNER, whichever login it used.
    cur.execute(sql.SQL("ALTER ROLE {} SET role = {}").format(I(login), sql.Literal(OWNER)))

KINDS = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "f": "FOREIGN TABLE", "S": "SEQUENCE"}
for db in DATABASES:
    cur.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", (db,))
    row = cur.fetchone()
    if row is None:
        try:
            cur.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(I(db), I(OWNER)))
        except psycopg2.errors.DuplicateDatabase:
            pass
    elif row[0] != OWNER:
        cur.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(I(db), I(OWNER)))
    cur.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(I(db)))
    dconn, dcur = connect(db)
    dcur.execute("SELECT nspname FROM pg_namespace WHERE nspowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
                 " AND nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'")
    for (schema,) in dcur.fetchall():
        dcur.execute(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(I(schema), I(OWNER)))
    # Sequences owned by a column follow their table.
    dcur.execute("SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                 " WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) AND c.relkind IN ('r','p','v','m','f','S')"
                 " AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'"
                 " AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a','i')))")
    for schema, name, kind in dcur.fetchall():
        dcur.execute(sql.SQL("ALTER " + KINDS[kind] + " {}.{} OWNER TO {}").format(I(schema), I(name), I(OWNER)))
    dcur.execute("SELECT n.nspname, t.typname, t.typtype FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
                 " WHERE t.typowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) AND t.typtype IN ('e','d')"
                 " AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'")
    for schema, name, typtype in dcur.fetchall():
        dcur.execute(sql.SQL("ALTER " + ("DOMAIN" if typtype == "d" else "TYPE") + " {}.{} OWNER TO {}").format(I(schema), I(name), I(OWNER)))
    dconn.close()

def set_password(login, password):
    cur.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(I(login), sql.Literal(verifier(password))))

sm = boto3.client("secretsmanager")
try:
    current = json.loads(sm.get_secret_value(SecretId=SECRET_ID)["SecretString"])
except sm.exceptions.ResourceNotFoundException:
    current = None  # created by Terraform without a value: the first run
if current is not None and current.get("username") not in LOGINS:
    sys.exit(f"the secret {SECRET_ID} names user {current.get('username')!r}, none of {LOGINS}; it is written by this job only")
if current is None or ROTATE:
    login = next(l for l in LOGINS if current is None or l != current["username"])
    new = {"username": login, "password": secrets.token_urlsafe(32)}
    # PostgreSQL first: a pod that reads the new secret can log in at once; pods with the old one still can.
    set_password(login, new["password"])
    sm.put_secret_value(SecretId=SECRET_ID, SecretString=json.dumps(new))
    print(f"{'rotated' if current else 'created'} the credentials of {login}")
else:
    set_password(current["username"], current["password"])
    print(f"{current['username']} holds the password of the secret")
conn.close()
`.trimStart();
