"""Stage 2 of an import: map the file's headers to the dataset's canonical columns.

A file's own headers rarely match ours. `propose` suggests a mapping from synonyms in English
and the main European languages, tolerating case, spaces, underscores, accents and typos, and
from the values of a column (Capital/Revenue is capex_opex). The proposal is used only when
asked (`auto=True`, the CLI's --auto-map, or the Data page after the user saw it); otherwise
only exact canonical names, explicit choices and a saved profile map columns.
Profiles are saved mappings; a later file with the same headers finds its profile by itself.
"""
from __future__ import annotations

import difflib
import functools
import json
import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from analytics import i18n, store
from analytics.datasets import Dataset


class MappingError(ValueError):
    """A required column has no source in the file."""


@dataclass
class ColumnMapping:
    source: dict[str, str] = field(default_factory=dict)      # canonical -> file header
    constants: dict[str, str] = field(default_factory=dict)   # canonical -> value for every row
    ignored: list[str] = field(default_factory=list)          # file headers not used
    proposed: dict[str, str] = field(default_factory=dict)    # canonical -> header taken from the proposal


# canonical column -> names people give it (any case/spacing; accents are ignored when matching)
SYNONYMS: dict[str, str] = {
    "date": "date; paid date; payment date; invoice date; posting date; transaction date; document date; value date; "
            "datum; buchungsdatum; zahlungsdatum; rechnungsdatum; belegdatum; data; data platnosci; data zaplaty; "
            "data faktury; data ksiegowania; fecha; fecha de pago; date de paiement; date facture; data pagamento; "
            "betalningsdatum; fakturadatum; bokforingsdatum; datum; teljesites datuma; fizetes datuma; datum; "
            "дата; дата на плащане; datum platby; datum uhrady; betaaldatum; factuurdatum; betalingsdato",
    "vendor": "vendor; supplier; supplier name; vendor name; payee; merchant; beneficiary; creditor; seller; "
              "lieferant; lieferantenname; kreditor; kreditorname; dostawca; nazwa dostawcy; kontrahent; "
              "leverantor; leverantorsnamn; leverandor; szallito; szallito neve; доставчик; dodavatel; "
              "nazev dodavatele; fournisseur; proveedor; fornitore; leverancier; crediteur; toimittaja; provider",
    "amount": "amount; value; net amount; amount paid; paid amount; line amount; total amount; sum; cost; "
              "betrag; nettobetrag; summe; kwota; wartosc; kwota netto; belopp; summa; osszeg; сума; stoimost; "
              "castka; montant; importe; importo; bedrag; belob; belop; euro amount",
    "currency": "currency; curr; ccy; currency code; wahrung; waluta; valuta; penznem; валута; mena; devise; "
                "moneda; divisa; munt",
    "cost_center": "cost center; cost centre; costcenter; cost centre name; organisational unit; "
                   "organizational unit; org unit; department; service area; directorate; business unit; "
                   "kostenstelle; abteilung; centrum kosztow; mpk; dzial; kostnadsstalle; avdelning; koltseghely; "
                   "разходен център; nakladove stredisko; centre de cout; service; centro de coste; "
                   "centro di costo; kostenplaats; omkostningssted",
    "category": "category; expenditure category; spend category; expense category; cost pool; expense type; "
                "expenditure unit; cost type; kategorie; kostenart; kategoria; rodzaj kosztu; kategori; kostnadsslag; "
                "kategoria; koltsegnem; категория; kategorie; druh nakladu; categorie; categoria; categoria de gasto",
    "invoice_id": "invoice id; invoice; invoice number; invoice no; invoice ref; trans no; transaction number; "
                  "transaction id; document number; voucher; rechnungsnummer; belegnummer; numer faktury; "
                  "nr faktury; fakturanummer; szamlaszam; номер на фактура; cislo faktury; numero de facture; "
                  "numero de factura; numero fattura; factuurnummer",
    "contract_id": "contract id; contract; contract number; contract ref; vertrag; vertragsnummer; umowa; "
                   "nr umowy; numer umowy; avtal; avtalsnummer; szerzodes; szerzodesszam; договор; smlouva; "
                   "cislo smlouvy; contrat; contrato; contratto; contract nummer",
    "description": "description; details; narrative; line description; text; purpose; memo; comment; notes; remark; "
                   "beschreibung; bemerkung; anmerkung; kommentar; uwagi; "
                   "buchungstext; verwendungszweck; opis; beskrivning; text; leiras; описание; popis; libelle; "
                   "descripcion; descrizione; omschrijving",
    "gl_account": "gl account; gl; gl code; account; account code; expenditure code; nominal code; ledger account; "
                  "sachkonto; konto; konto ksiegowe; fokonyvi szam; сметка; ucet; compte; cuenta; conto; grootboek",
    "capex_opex": "capex opex; capex/opex; capital or revenue; caporrev; capital revenue; cap or rev; "
                  "expenditure type; capex; opex",
    "project": "project; project code; project id; projekt; projet; proyecto; progetto; projekt id",
    "period": "period; month; budget month; fiscal period; periode; monat; okres; miesiac; manad; period; honap; "
              "месец; mesic; mois; mes; mese; maand",
    "version": "version; budget version; scenario; szenario; wersja",
    "service": "service; service name; description of service; leistung; usluga; tjanst; szolgaltatas",
    "start_date": "start date; start; contract start; begin; beginn; vertragsbeginn; data rozpoczecia; "
                  "startdatum; kezdete; начална дата; zacatek; date de debut; fecha de inicio",
    "end_date": "end date; end; contract end; expiry; expiry date; expiration date; ende; vertragsende; "
                "data zakonczenia; slutdatum; vege; крайна дата; konec; date de fin; fecha de fin",
    "annual_value": "annual value; yearly value; annual cost; value per year; contract value per year; "
                    "jahreswert; wartosc roczna; arsvarde; eves ertek",
    "auto_renew": "auto renew; auto renewal; tacit renewal; automatic renewal; autorenew; evergreen; "
                  "automatische verlangerung",
    "renewal_term_months": "renewal term months; renewal term; renewal months; verlangerung monate",
    "notice_days": "notice days; notice period days; notice period; kundigungsfrist tage; kundigungsfrist",
    "billing_frequency": "billing frequency; billing; invoicing frequency; payment frequency; "
                         "zahlungsrhythmus; abrechnung",
    "owner": "owner; contract owner; responsible; verantwortlich; wlasciciel",
    "ticket_id": "ticket id; ticket; ticket number; number; incident; incident number; incident id; id; "
                 "ticketnummer; nummer; numer; numero",
    "priority": "priority; prio; priority level; prioritat; priorytet; prioritet; prioritas; приоритет; "
                "priorita; priorite; prioridad; priorita",
    "opened_at": "opened at; opened; open date; created; created at; created on; creation date; sys created at; "
                 "reported; erstellt; eroffnet; utworzono; skapad",
    "responded_at": "responded at; first response; first response at; first responded at; responded; "
                    "acknowledged at; erste reaktion",
    "resolved_at": "resolved at; resolved; resolution date; resolved on; solved at; gelost; rozwiazano; lost",
    "made_sla": "made sla; sla met; within sla; met sla; sla achieved",
    "product": "product; product name; software; licence; license; produkt; produkt name; termek",
    "seats_purchased": "seats purchased; purchased; licences purchased; licenses purchased; quantity; seats",
    "seats_assigned": "seats assigned; assigned; licences assigned; licenses assigned",
    "seats_active": "seats active; active; active users; used",
    "unit_cost": "unit cost; unit price; price per seat; cost per seat; stuckpreis; cena jednostkowa",
    "rate_to_base": "rate to base; rate; fx rate; exchange rate; kurs; wechselkurs; kurs wymiany; vaxelkurs; "
                    "arfolyam; курс",
    "metric": "metric; measure; kpi",
    "target": "target; goal; sla target; ziel; cel",
    "actual": "actual; measured; value measured; ist; wykonanie",
}
FUZZY_CUTOFF = 0.84


def normalise_header(text: str) -> str:
    """Lower case, no accents, no spaces, underscores, hyphens or punctuation ('Supplier_Name ' -> suppliername)."""
    text = unicodedata.normalize("NFKD", str(text).lower())
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("ł", "l")
    return re.sub(r"[\s_\-./()#:]+", "", text)


@functools.lru_cache(maxsize=None)
def _synonyms(canonical: str) -> tuple[str, ...]:
    names = [canonical] + [s.strip() for s in SYNONYMS.get(canonical, "").split(";") if s.strip()]
    return tuple(dict.fromkeys(normalise_header(n) for n in names))


def _score(header: str, canonical: str) -> float:
    norm = normalise_header(header)
    names = _synonyms(canonical)
    if norm == normalise_header(canonical):
        return 1.0
    if norm in names:
        return 0.95
    best = 0.0
    for name in names:
        matcher = difflib.SequenceMatcher(None, norm, name)
        # the cheap upper bounds first: most pairs are far apart
        if matcher.real_quick_ratio() >= FUZZY_CUTOFF and matcher.quick_ratio() >= FUZZY_CUTOFF:
            best = max(best, matcher.ratio())
    return best * 0.9 if best >= FUZZY_CUTOFF else 0.0


def propose(headers: list[str], dataset: Dataset, *, frame: pd.DataFrame | None = None,
            exact_only: bool = False) -> dict[str, str]:
    """canonical -> header: each header used once, the best-scoring pairs first.

    With exact_only, only headers that are the canonical name (ignoring case and spacing).
    With a frame, choice columns also match on values (a column of Capital/Revenue is capex_opex).
    """
    headers = [h for h in headers if h != "_row"]
    if exact_only:
        by_norm = {normalise_header(h): h for h in headers}
        return {c: by_norm[normalise_header(c)] for c in dataset.column_names if normalise_header(c) in by_norm}
    pairs = sorted(((_score(h, c), -i, c, h) for c in dataset.column_names for i, h in enumerate(headers)),
                   reverse=True)
    chosen: dict[str, str] = {}
    for score, _, canonical, header in pairs:
        if score <= 0 or canonical in chosen or header in chosen.values():
            continue
        chosen[canonical] = header
    if frame is not None:
        _propose_by_values(chosen, headers, dataset, frame)
    return {c: chosen[c] for c in dataset.column_names if c in chosen}


def _propose_by_values(chosen: dict[str, str], headers: list[str], dataset: Dataset, frame: pd.DataFrame) -> None:
    from analytics.ingest.normalise import CHOICE_SYNONYMS
    for col in dataset.columns:
        words = CHOICE_SYNONYMS.get(col.name)
        if col.kind != "choice" or col.name in chosen or not words:
            continue
        for header in headers:
            if header in chosen.values():
                continue
            values = set(frame[header].head(5000).astype(str).str.strip().str.lower()) - {""}
            if values and values <= set(words):
                chosen[col.name] = header
                break


def resolve(headers: list[str], dataset: Dataset, *, explicit: dict[str, str] | None = None,
            constants: dict[str, str] | None = None, file_name: str = "file", auto: bool = False,
            frame: pd.DataFrame | None = None) -> ColumnMapping:
    """The mapping to use: explicit choices and constants, then exact names (and, with auto, the proposal)."""
    explicit = dict(explicit or {})
    constants = {k: v for k, v in (constants or {}).items() if str(v).strip() != ""}
    for canonical in list(explicit) + list(constants):
        if canonical not in dataset.column_names:
            raise MappingError(i18n.t("{file}: {column} is not a column of {dataset} (columns: {columns})",
                                      file=file_name, column=repr(canonical), dataset=dataset.name,
                                      columns=", ".join(dataset.column_names)))
    shown = ", ".join(repr(h) for h in headers if h != "_row") or i18n.t("(none)")
    for canonical, header in explicit.items():
        if header not in headers:
            raise MappingError(i18n.t("{file}: no column {header} to map to {column}; the file's columns are: "
                                      "{headers}", file=file_name, header=repr(header), column=canonical,
                                      headers=shown))
    taken = set(explicit.values())
    guess = propose([h for h in headers if h not in taken], dataset, frame=frame, exact_only=not auto)
    source = {c: h for c, h in guess.items() if c not in constants and c not in explicit}
    proposed = dict(source)
    source.update(explicit)
    missing = [c for c in dataset.required if c not in source and c not in constants]
    if missing:
        raise MappingError(i18n.t(
            "{file}: required column(s) {columns} not found for dataset {dataset}; the file's columns are: "
            "{headers}. Choose the file's column for each, or give one value for every row", file=file_name,
            columns=", ".join(missing), dataset=dataset.name, headers=shown))
    used = set(source.values())
    ignored = [h for h in headers if h != "_row" and h not in used]
    return ColumnMapping(source, constants, ignored, proposed)


def apply(frame: pd.DataFrame, dataset: Dataset, mapping: ColumnMapping) -> pd.DataFrame:
    """A frame with `_row` and every canonical column, as text ('' where absent)."""
    out = pd.DataFrame({"_row": frame["_row"].to_numpy()})
    text = pd.ArrowDtype(pa.string())
    for column in dataset.column_names:
        if column in mapping.constants:
            out[column] = pd.Series(str(mapping.constants[column]), index=out.index, dtype=text)
        elif column in mapping.source:
            values = frame[mapping.source[column]]
            values = values if pd.api.types.is_string_dtype(values.dtype) else values.astype(str)
            out[column] = values.array  # positional, and keeps Arrow-backed text without copying
        else:
            out[column] = pd.Series("", index=out.index, dtype=text)
    return out


def describe(mapping: ColumnMapping) -> list[str]:
    """One line per mapped column, for printing ('vendor <- Supplier Name', 'currency = GBP')."""
    lines = [f"{c} <- {h}" for c, h in mapping.source.items()]
    lines += [f"{c} = {v}" for c, v in mapping.constants.items()]
    return lines


# --- profiles ----------------------------------------------------------------------------------

@dataclass
class Profile:
    name: str
    dataset: str
    headers: list[str]
    source: dict[str, str]
    constants: dict[str, str]
    options: dict[str, str]


def header_key(headers: list[str]) -> str:
    return "|".join(sorted({normalise_header(h) for h in headers if h != "_row" and str(h).strip()}))


def save_profile(con, name: str, dataset: str, headers: list[str], source: dict[str, str],
                 constants: dict[str, str], options: dict | None = None) -> Profile:
    """Store (or replace) a named mapping for files with these headers."""
    name = name.strip()
    if not name:
        raise MappingError(i18n.t("a profile needs a name"))
    with store.transaction(con):
        con.execute("delete from import_profiles where name = ?", [name])
        con.execute("insert into import_profiles values (?, ?, ?, ?, ?, ?, current_timestamp)",
                    [name, dataset, header_key(headers), json.dumps(source), json.dumps(constants),
                     json.dumps(options or {})])
    return Profile(name, dataset, list(headers), dict(source), dict(constants), dict(options or {}))


def _profile(row) -> Profile:
    name, dataset, key, source, constants, options = row
    return Profile(name, dataset, key.split("|"), json.loads(source), json.loads(constants), json.loads(options))


def get_profile(con, name: str) -> Profile | None:
    row = con.execute("select name, dataset, header_key, source_map, constants, options from import_profiles "
                      "where name = ?", [name]).fetchall()
    return _profile(row[0]) if row else None


def find_profile(con, dataset: str, headers: list[str]) -> Profile | None:
    """The most recently saved profile of this dataset for files with exactly these headers."""
    row = con.execute("select name, dataset, header_key, source_map, constants, options from import_profiles "
                      "where dataset = ? and header_key = ? order by saved_at desc limit 1",
                      [dataset, header_key(headers)]).fetchall()
    return _profile(row[0]) if row else None


def list_profiles(con) -> pd.DataFrame:
    """One row per saved profile: name, dataset, mapping, constants, saved_at."""
    return con.execute("select name, dataset, source_map as mapping, constants, saved_at from import_profiles "
                       "order by name").df()


def delete_profile(con, name: str) -> None:
    with store.transaction(con):
        con.execute("delete from import_profiles where name = ?", [name])
