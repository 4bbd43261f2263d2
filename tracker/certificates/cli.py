"""`flask credentials`: the Open Badges signing key and credentials for older certificates."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from tracker.certificates.badges import issue_credential
from tracker.certificates.issuer import public_base
from tracker.certificates.models import Certificate
from tracker.certificates.models import CertificateCredential
from tracker.certificates.status_lists import sign_all_with_current_key
from tracker.credentials.keys import KeyProblem
from tracker.credentials.keys import write_new_key
from tracker.database import writing
from tracker.extensions import db

credentials_cli = AppGroup("credentials", help="Open Badges credentials and their signing key.")


@credentials_cli.command("keygen")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def keygen(path: str) -> None:
    """Write a new Ed25519 signing key to PATH (PEM, readable by its owner only; refused if
    PATH exists). Point CREDENTIAL_KEY_FILE at it; keep a copy apart from database backups."""
    try:
        public = write_new_key(path)
    except FileExistsError:
        raise click.ClickException(f"{path} exists: choose a new file for a new key.") from None
    click.echo(f"New signing key written to {path} (mode 0600).")
    click.echo(f"Its public key (publicKeyMultibase): {public}")
    click.echo("Set CREDENTIAL_KEY_FILE to this path. When it replaces a key, add the old key's")
    click.echo("publicKeyMultibase to CREDENTIAL_RETIRED_KEYS so its credentials stay ours.")


@credentials_cli.command("issue-missing")
def issue_missing() -> None:
    """Sign a credential for every certificate that has none (issued before credentials)."""
    with writing():
        ids = list(
            db.session.scalars(
                select(Certificate.id)
                .where(~Certificate.id.in_(select(CertificateCredential.certificate_id)))
                .order_by(Certificate.id)
            )
        )
        try:
            for certificate_id in ids:
                issue_credential(db.session.get(Certificate, certificate_id), public_base())
        except KeyProblem as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        db.session.commit()
    click.echo(f"{len(ids)} credential(s) issued.")


@credentials_cli.command("sign-lists")
def sign_lists() -> None:
    """After a key rotation: sign every status list again with the current key."""
    with writing():
        try:
            count = sign_all_with_current_key(public_base())
        except KeyProblem as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        db.session.commit()
    click.echo(f"{count} status list(s) signed with the current key.")
