"""Data: import files (any layout), check them, load them; batch history with undo; templates; mappings."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics import cloud, datasets, exchange, i18n, present
from analytics.ingest import itsm, load, mapping, normalise, read
from analytics.reports import xlsx
from views import common, uploads

FOCUS = "focus"
# the datasets as people read them: the code stays the value (templates and the CLI name it), the words are
# translated where shown
NAMES = {"spend": i18n.N_("spend"), "budget": i18n.N_("budget"), "contracts": i18n.N_("contracts"),
         "sla": i18n.N_("sla"), "incidents": i18n.N_("incidents"), "licenses": i18n.N_("licenses"),
         "fx": i18n.N_("fx"), "schedules": i18n.N_("schedules"), "holidays": i18n.N_("holidays"),
         "sla_targets": i18n.N_("sla targets"), "incident_pauses": i18n.N_("incident pauses"),
         "allocation_rules": i18n.N_("allocation rules"), "drivers": i18n.N_("drivers"),
         "cloud billing rows": i18n.N_("cloud billing rows"), FOCUS: i18n.N_("focus")}
DESCRIPTIONS = {
    "spend": i18n.N_("every payment or invoice line"),
    "budget": i18n.N_("monthly budget lines by cost center and category, in versions"),
    "contracts": i18n.N_("vendor contracts with their terms, renewal rules and SLA targets"),
    "sla": i18n.N_("monthly SLA measurements per contract"),
    "incidents": i18n.N_("incident tickets"),
    "licenses": i18n.N_("software licences: seats bought, assigned and actively used"),
    "fx": i18n.N_("monthly exchange rates"),
    "schedules": i18n.N_("business-hour schedules for SLA clocks"),
    "holidays": i18n.N_("public holidays per schedule"),
    "sla_targets": i18n.N_("response and resolution targets per priority"),
    "incident_pauses": i18n.N_("on-hold periods of incident tickets"),
    "allocation_rules": i18n.N_("showback allocation rules"),
    "drivers": i18n.N_("allocation drivers: a quantity per month, driver and target"),
    FOCUS: i18n.N_("cloud billing in FinOps FOCUS (detail rows + monthly spend lines)"),
}
LABELS = [*datasets.DATASETS, FOCUS]
NONE = "(not in file)"
ALL_SHEETS = "(all sheets)"
FILE_TYPES = ["csv", "txt", "tsv", "xlsx", "xlsm", "xls", "ods", "gz", "zip", "parquet"]

conf = common.header(i18n.N_("Data"), i18n.N_("import your files, check them, see what was loaded, undo a batch"))
t = i18n.t

if "data_flash" in st.session_state:
    st.success(st.session_state.pop("data_flash"))


def dataset_name(name: str) -> str:
    """A dataset's name in the reader's language ('spend', 'Ausgaben'); a code without a name stays the code."""
    return t(NAMES[name]) if name in NAMES else name.replace("_", " ")


def dataset_label(name: str) -> str:
    """The dataset chooser's line: the name and what it holds."""
    return t("{dataset} — {description}", dataset=dataset_name(name), description=t(DESCRIPTIONS.get(name, "")))


def _counts() -> None:
    counts = list(common.cached(load.row_counts).items())
    per_row = 6
    for start in range(0, len(counts), per_row):
        cells = st.columns(per_row)
        for cell, (name, rows) in zip(cells, counts[start:start + per_row]):
            cell.metric(dataset_name(name), i18n.number(rows))


# how to settle a refused file, in this page's words (the CLI names its flags instead)
SETTLE = {
    "decimal": i18n.N_("Choose the decimal mark under 'Decimal mark when the file cannot tell' and check the file "
                       "again."),
    "mapping": i18n.N_("Under Column mapping, choose the file's column for each one, or type one value for every "
                       "row."),
    "replace": i18n.N_("To load it again, undo that batch under 'History and undo' first."),
    "strict": i18n.N_("Untick 'Refuse blank names' to import them as a placeholder."),
}


def _refused(exc) -> None:
    """A refused file, said in the page's words."""
    hint = SETTLE.get(getattr(exc, "setting", None) or "")
    st.error(str(exc) + (f" {t(hint)}" if hint else ""))


def _upload_folder() -> uploads.UploadFolder:
    folder = st.session_state.get("data_tmp")
    if not isinstance(folder, uploads.UploadFolder):
        folder = st.session_state["data_tmp"] = uploads.UploadFolder()
    return folder


def _saved_upload(upload) -> Path:
    """The uploaded bytes in a temporary file with the upload's name (so the pipeline hashes the same bytes)."""
    data = upload.getvalue()
    return _upload_folder().save(upload.name, data, hashlib.sha256(data).hexdigest())


def _remembered(key: tuple, make):
    """The value for `key` kept in the session (one per kind), so a big file is not re-read on every click."""
    slot = f"data_memo_{key[0]}"
    kept = st.session_state.get(slot)
    if kept is None or kept[0] != key:
        kept = (key, make())
        st.session_state[slot] = kept
    return kept[1]


def _mapping_editor(dataset: datasets.Dataset, frame: pd.DataFrame, proposed: dict[str, str],
                    key: str) -> tuple[dict[str, str], dict[str, str]]:
    """One line per canonical column: the file column it comes from (with sample values) or a constant."""
    headers = [h for h in frame.columns if h != "_row"]
    explicit, constants = {}, {}
    top = st.columns([2, 3, 4, 2])
    for cell, title in zip(top, [t("column"), t("from the file's column"), t("sample values"),
                                 t("or the same value for every row")]):
        cell.caption(title)
    not_in_file = t(NONE)
    for col in dataset.columns:
        left, middle, right, last = st.columns([2, 3, 4, 2])
        left.markdown(f"**{col.name}**" + (" *" if col.required else ""), help=col.help)
        options = [NONE] + headers
        default = options.index(proposed[col.name]) if proposed.get(col.name) in headers else 0
        chosen = middle.selectbox(col.name, options, index=default, key=f"{key}_map_{col.name}",
                                  label_visibility="collapsed",
                                  format_func=lambda h, none=not_in_file: none if h == NONE else h)
        if chosen != NONE:
            explicit[col.name] = chosen
            sample = [v for v in frame[chosen].astype(str).head(50).tolist() if v.strip()][:3]
            right.caption(" · ".join(sample) or t("(empty)"))
        value = last.text_input(col.name, "", key=f"{key}_const_{col.name}", label_visibility="collapsed",
                                placeholder=t("e.g. {example}", example=col.example)
                                if chosen == NONE and col.required else "")
        if value.strip():
            constants[col.name] = value.strip()
            explicit.pop(col.name, None)
    return explicit, constants


def _show_errors(errors, file_name: str, key: str) -> None:
    table = pd.DataFrame([{"file": e.file, "row": e.row, "column": e.column, "reason": e.reason} for e in errors])
    st.error(i18n.n("{count} problem in {file} (rows affected: {rows}).",
                    "{count} problems in {file} (rows affected: {rows}).", len(errors),
                    rows=i18n.number(len({e.row for e in errors})), file=file_name))
    common.table(table.head(1000), f"{key}_errors_table")
    st.download_button(t("Download all problems (CSV)"), xlsx.csv_bytes(present.for_people(table)),
                       f"{Path(file_name).stem}-problems.csv", "text/csv", key=f"{key}_errors")


def _imported(result) -> str:
    """One loaded file in words: 'a.csv: 5 rows as batch 3 (rows left out: 1)'."""
    if result.rejected:
        return i18n.n("{file}: {count} row as batch {batch} (rows left out: {rejected})",
                      "{file}: {count} rows as batch {batch} (rows left out: {rejected})", result.rows,
                      file=result.file_name, batch=result.batch_id, rejected=i18n.number(result.rejected))
    return i18n.n("{file}: {count} row as batch {batch}", "{file}: {count} rows as batch {batch}", result.rows,
                  file=result.file_name, batch=result.batch_id)


def _check_and_import(dataset_name: str, path: Path, upload_name: str, sheet, all_sheets: bool,
                      options: load.ImportOptions, focus_options: dict, commit: bool):
    """Run the pipeline (check only, or check and load) on the app's connection; returns prepared imports."""
    with common.cursor() as cur, st.status(t("Reading and checking the file…"), expanded=commit) as status:
        progress = st.progress(0.1, text=t("reading"))
        if dataset_name == FOCUS:
            prepared = [cloud.prepare_focus(cur, path, display_name=upload_name, **focus_options)]
        else:
            prepared = load.prepare_file(cur, dataset_name, path, sheet=sheet, all_sheets=all_sheets,
                                         display_name=upload_name, options=options)
        progress.progress(0.6, text=t("checked"))
        if commit:
            status.update(label=t("Writing…"))
            if dataset_name == FOCUS:
                result = cloud.commit_focus(cur, prepared[0], user=common.user().name)
                message = t("FOCUS file imported as batch {batch}: FOCUS rows {detail}, monthly spend lines "
                            "{lines}.", detail=i18n.number(result.detail_rows), lines=i18n.number(result.rows),
                            batch=result.batch_id)
            else:
                results = load.commit_many(cur, prepared, user=common.user().name)
                message = "; ".join(_imported(r) for r in results)
            progress.progress(1.0, text=t("done"))
            status.update(label=t("Imported"), state="complete")
            return prepared, message
        progress.progress(1.0, text=t("checked"))
        status.update(label=t("Checked"), state="complete", expanded=False)
    return prepared, None


def _import_tab() -> None:
    dataset_name = st.selectbox(t("Dataset"), LABELS, format_func=i18n.bound(dataset_label), key="data_dataset")
    upload = st.file_uploader(t("File (CSV, Excel, CSV.gz, ZIP, Parquet)"), type=FILE_TYPES,
                              key=f"data_file_{st.session_state.get('data_upload_round', 0)}")
    if upload is None:
        st.caption(t("Any layout: the importer finds the header row, the delimiter, the encoding and the number "
                     "and date formats, and proposes a column mapping you can correct. Templates are in the "
                     "Templates tab."))
        return
    path = _saved_upload(upload)
    sheets = read.sheet_names(path) if dataset_name != FOCUS else []
    sheet, all_sheets = None, False
    if len(sheets) > 1:
        all_word = t(ALL_SHEETS)
        choice = st.selectbox(t("Sheet"), sheets + [ALL_SHEETS], key="data_sheet",
                              format_func=lambda s: all_word if s == ALL_SHEETS else s)
        all_sheets = choice == ALL_SHEETS
        sheet = None if all_sheets else choice
    try:
        raw = _remembered(("read", str(path), sheet),
                          lambda: read.read_table(path, sheet=sheet, display_name=upload.name))
    except read.ReadError as exc:
        st.error(str(exc))
        return
    st.subheader(t("Preview"))
    st.dataframe(raw.frame.drop(columns="_row").head(10), hide_index=True, width="stretch")
    for note in raw.notices:
        st.caption(f"ℹ️ {note}")
    options = load.ImportOptions()
    focus_options = {}
    if dataset_name == FOCUS:
        left, right = st.columns(2)
        tag = left.text_input(t("Cost center from tag (optional)"), "", key="data_focus_tag",
                              help=t("The Tags key holding the cost center, e.g. business_unit. Without it the "
                                     "sub-account mapping, then the sub-account name, is used."))
        by_service = right.checkbox(t("Category from ServiceCategory"), key="data_focus_service",
                                    help=t("Default: every line is in the cost pool Cloud Services."))
        focus_options = {"cost_center_tag": tag.strip() or None, "category_from_service": by_service}
    else:
        options = _options_form(dataset_name, raw, str(path))
        if options is None:
            return
    check = st.button(t("Check file"), key="data_check", type="secondary")
    key = (upload.name, hashlib.sha256(upload.getvalue()).hexdigest(), dataset_name, sheet, all_sheets,
           repr(options), repr(focus_options))
    if check:
        st.session_state.pop("data_checked", None)
        try:
            prepared, _ = _check_and_import(dataset_name, path, upload.name, sheet, all_sheets, options,
                                            focus_options, commit=False)
        except (load.ImportRefused, cloud.FocusError) as exc:
            _refused(exc)
            if getattr(exc, "errors", None):
                _show_errors(exc.errors, upload.name, "data_refused")
            return
        st.session_state["data_checked"] = {
            "key": key, "ok": all(p.loadable for p in prepared), "rows": sum(p.rows for p in prepared),
            "errors": [e for p in prepared for e in p.errors], "notices": [n for p in prepared for n in p.notices],
            "formats": {k: v for p in prepared for k, v in p.formats.items()},
            "mapping": [line for p in prepared if p.columns for line in mapping.describe(p.columns)],
            "missing_fx": {} if dataset_name == FOCUS else
            {c: m for p in prepared for c, m in p.coverage.missing_rates.items()}}
    _show_check(dataset_name, path, upload.name, sheet, all_sheets, options, focus_options, key)


def _options_form(dataset_name: str, raw: read.RawTable, file_key: str) -> load.ImportOptions | None:
    dataset = datasets.get(dataset_name)
    left, middle, right = st.columns(3)
    orders = {"detect": t("detect from the data"), "dmy": t("day/month (31/12)"), "mdy": t("month/day (12/31)")}
    order = left.selectbox(t("Date order when the file cannot tell"), list(orders), key="data_date_order",
                           format_func=orders.get)
    marks = {"detect": t("detect from the data"), ".": t("point (1,234.56)"), ",": t("comma (1.234,56)")}
    decimal = middle.selectbox(t("Decimal mark when the file cannot tell"), list(marks), key="data_decimal",
                               format_func=marks.get)
    skip = right.checkbox(t("Import the valid rows, list the others"), key="data_skip_invalid",
                          help=t("Default: a file with any invalid row is not imported at all."))
    strict = right.checkbox(t("Refuse blank names"), key="data_strict",
                            help=t("Default: a payment with a blank vendor, cost center or category is imported as "
                                   "'(not stated)' (and a withheld name as '(redacted)'), and counted in the "
                                   "summary."))
    fiscal_year = None
    if dataset_name == "budget":
        fy = st.number_input(t("Fiscal year (for month columns without a year)"), 0, 2100, 0, key="data_fiscal_year",
                             help=t("0: take it from the sheet (FY2026 in a title, a Year column, or the file "
                                    "name)."))
        fiscal_year = int(fy) or None
    options = load.ImportOptions(formats=normalise.FormatOptions(None if order == "detect" else order,
                                                                 None if decimal == "detect" else decimal),
                                 skip_invalid=skip, fiscal_year=fiscal_year, strict=strict)
    with common.cursor() as cur:
        try:
            frame, source_format, notes = _remembered(
                ("layout", file_key, raw.sheet, dataset_name, fiscal_year, order),
                lambda: load.lay_out(cur, dataset, raw, options))
        except load.ImportRefused as exc:
            _refused(exc)
            return None
        headers = [h for h in frame.columns if h != "_row"]
        profile = mapping.find_profile(cur, dataset_name, headers)
    if source_format != raw.source_format:
        st.info(" · ".join(notes[len(raw.notices):]))
    st.subheader(t("Column mapping"))
    if profile:
        st.caption(t("Proposed from the saved profile **{profile}** (a file with the same headers).",
                     profile=profile.name))
        by_norm = {mapping.normalise_header(h): h for h in headers}
        proposed = {c: by_norm.get(mapping.normalise_header(h), h) for c, h in profile.source.items()}
    else:
        st.caption(t("Proposed from the headers (synonyms in English and European languages, typos tolerated) "
                     "and the values. Correct it where needed; * marks required columns."))
        proposed = mapping.propose(headers, dataset, frame=frame)
    explicit, constants = _mapping_editor(dataset, frame, proposed, f"data_{dataset_name}")
    if profile:
        constants = {**profile.constants, **constants}
    options.explicit_map, options.constants = explicit, constants
    name = st.text_input(t("Save this mapping as a profile (optional)"), "", key="data_profile_name",
                         help=t("A later file with the same headers will use it by itself."))
    options.profile = name.strip() or (profile.name if profile else None)
    return options


def _show_check(dataset_name, path, upload_name, sheet, all_sheets, options, focus_options, key) -> None:
    checked = st.session_state.get("data_checked")
    if not checked or checked["key"] != key:
        return
    if checked["mapping"]:
        st.caption(t("Mapping: {lines}", lines="; ".join(checked["mapping"])))
    if checked["formats"]:
        st.caption(t("Formats read: {formats}", formats="; ".join(f"{k}: {v}" for k, v in checked["formats"].items())))
    if checked["notices"]:
        st.info("\n".join(f"- {n}" for n in checked["notices"]))
    if checked["errors"]:
        _show_errors(checked["errors"], upload_name, "data_check")
    if checked.get("missing_fx"):
        _missing_fx(checked["missing_fx"])
    if not checked["ok"]:
        st.warning(t("Nothing can be imported until these problems are fixed (or tick 'Import the valid rows, "
                     "list the others')."))
        return
    left = len({e.row for e in checked["errors"]})
    label = (i18n.n("Import {count} row", "Import {count} rows", checked["rows"] - left) if dataset_name != FOCUS
             else t("Import the FOCUS file"))
    if st.button(label, key="data_commit", type="primary"):
        try:
            prepared, message = _check_and_import(dataset_name, path, upload_name, sheet, all_sheets, options,
                                                  focus_options, commit=True)
        except (load.ImportRefused, cloud.FocusError) as exc:
            _refused(exc)
            return
        name = st.session_state.get("data_profile_name", "").strip()
        if name and dataset_name != FOCUS and prepared[0].columns:
            with common.cursor() as cur:
                mapping.save_profile(cur, name, dataset_name, prepared[0].headers, prepared[0].columns.source,
                                     prepared[0].columns.constants, options.formats.as_dict())
            message += " " + t("Mapping saved as profile {profile}.", profile=repr(name))
        brought = []  # the file's fiscal years ('It brings ...') first when known, then notes on missing rates
        for p in prepared:
            notices = p.coverage.notices(conf["fiscal_year_start_month"])
            if p.coverage.fiscal_years and notices:
                brought.append(t("It {notice}.", notice=notices.pop(0)))
            brought += [t("Note: {notice}.", notice=n) for n in notices]
        common.after_write("import", message)
        _upload_folder().clear()   # the file is in the database now; the uploader starts afresh
        st.session_state["data_upload_round"] = st.session_state.get("data_upload_round", 0) + 1
        st.session_state.pop("data_checked", None)
        st.session_state["data_flash"] = " ".join([message, *brought])
        st.rerun()


def _missing_fx(missing: dict[str, list[str]]) -> None:
    """Warn that some amounts cannot be converted, and offer the way to add their rates."""
    def line(currency: str, months: list[str]) -> str:  # months as 'YYYY-MM'
        first, last = i18n.month(months[0] + "-01"), i18n.month(months[-1] + "-01")
        if len(months) == 1:
            return t("- **{currency}**: one month, {month}", currency=currency, month=first)
        return i18n.n("- **{currency}**: {count} month, {first} to {last}",
                      "- **{currency}**: {count} months, {first} to {last}", len(months), currency=currency,
                      first=first, last=last)
    lines = [line(c, m) for c, m in missing.items()]
    st.warning(t("No fx rates for these currencies and months: their amounts will not be converted into the "
                 "reporting currency until rates are imported. Add them with the dataset **fx** above (template "
                 "below), one row per month and currency.") + "\n" + "\n".join(lines))
    st.download_button(t("fx template (CSV)"), exchange.template_bytes("fx", "csv"), "fx-template.csv", "text/csv",
                       key="data_fx_template")


def _history_tab() -> None:
    batches = common.cached(load.batches)
    if batches.empty:
        st.info(t("No imports yet."))
        return
    shown = batches.assign(dataset=batches["dataset"].map(dataset_name))
    common.table(shown, "data_batches_table", download="import-batches")
    ids = batches["batch_id"].tolist()
    label = {int(r.batch_id): " · ".join([str(r.batch_id), dataset_name(r.dataset), str(r.file_name),
                                          i18n.n("{count} row", "{count} rows", r.rows)])
             for r in batches.itertuples()}
    chosen = st.selectbox(t("Batch"), ids, format_func=lambda b: label[int(b)], key="data_batch")
    rejected = common.cached(load.rejects, batch_id=int(chosen))
    if not rejected.empty:
        st.caption(t("Rows left out of batch {batch} and why:", batch=chosen))
        common.table(rejected, "data_rejected_table")
    originals = common.cached(load.original_text, batch_id=int(chosen))
    if not originals.empty:
        st.caption(t("Names batch {batch} stored differently from the file (cleaned spaces and invisible "
                     "characters, or a placeholder for a withheld name), with the file's text:", batch=chosen))
        common.table(originals, "data_originals")
    if st.button(t("Undo batch {batch}", batch=chosen), key="data_undo"):
        st.session_state["data_undo_pending"] = int(chosen)
    pending = st.session_state.get("data_undo_pending")
    if pending is not None and pending in label:
        st.warning(t("Remove batch {batch} and every row it loaded? This cannot be undone.", batch=label[pending]))
        yes, no = st.columns(2)
        if yes.button(t("Yes, remove it"), key="data_undo_confirm", type="primary"):
            with common.cursor() as cur:
                dataset, rows = load.undo(cur, pending)
            common.after_write("undo", f"batch {pending}: {rows} {dataset} rows removed")  # the log stays English
            st.session_state.pop("data_undo_pending", None)
            st.session_state["data_flash"] = i18n.n("Removed batch {batch}: {count} {dataset} row.",
                                                    "Removed batch {batch}: {count} {dataset} rows.", rows,
                                                    batch=pending, dataset=dataset_name(dataset))
            st.rerun()
        if no.button(t("Cancel"), key="data_undo_cancel"):
            st.session_state.pop("data_undo_pending", None)
            st.rerun()


def _templates_tab() -> None:
    st.caption(t("An empty file in the canonical columns, with one example row (the XLSX has a sheet describing "
                 "each column). Your own files work too: the importer maps their columns."))
    for name in datasets.DATASETS:
        left, middle, right = st.columns([4, 1, 1])
        left.markdown(t("**{dataset}** (`{code}`) — {description}", dataset=dataset_name(name), code=name,
                        description=t(DESCRIPTIONS[name])))
        # written when clicked (26 files on every page run took ~2 s)
        middle.download_button("CSV", lambda name=name: exchange.template_bytes(name, "csv"), f"{name}-template.csv",
                               "text/csv", key=f"data_tpl_{name}_csv")
        right.download_button("XLSX", lambda name=name: exchange.template_bytes(name, "xlsx"), f"{name}-template.xlsx",
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                              key=f"data_tpl_{name}_xlsx")


def _mappings_tab() -> None:
    st.subheader(t("Saved column mappings (profiles)"))
    profiles = common.cached(mapping.list_profiles)
    if profiles.empty:
        st.caption(t("None yet: name a mapping when you import a file, or pass --profile NAME to the CLI."))
    else:
        common.table(profiles.assign(dataset=profiles["dataset"].map(dataset_name)), "data_profiles_table")
        gone = st.selectbox(t("Profile"), profiles["name"].tolist(), key="data_profile_pick")
        if st.button(t("Delete profile"), key="data_profile_delete"):
            with common.cursor() as cur:
                mapping.delete_profile(cur, gone)
            common.after_write()
            st.rerun()
    st.subheader(t("Ticket assignment groups → contracts"))
    st.caption(t("Applied when importing ITSM exports: a ticket of a mapped group (or vendor) gets its contract."))
    _pair_editor(itsm.contract_map, itsm.save_contract_map, "source_value", "contract_id",
                 "data_ticket_map")
    st.subheader(t("Cloud sub-accounts → cost centers"))
    st.caption(t("Applied when importing FOCUS billing, before the cost-center tag and the sub-account name."))
    _pair_editor(cloud.cost_center_map, cloud.save_cost_center_map, "sub_account_id", "cost_center",
                 "data_cloud_map")


PAIR_HEADINGS = {"source_value": i18n.N_("Assignment group or vendor"), "contract_id": i18n.N_("Contract"),
                 "sub_account_id": i18n.N_("Sub-account"), "cost_center": i18n.N_("Cost center")}


def _pair_editor(reader, writer, left: str, right: str, key: str) -> None:
    current = common.cached(reader)
    edited = st.data_editor(current if not current.empty else pd.DataFrame({left: [], right: []}, dtype=str),
                            num_rows="dynamic", hide_index=True, key=key, width="stretch",
                            column_config={name: st.column_config.TextColumn(t(PAIR_HEADINGS[name]))
                                           for name in (left, right)})
    if st.button(t("Save"), key=f"{key}_save"):
        pairs = {str(r[left]).strip(): str(r[right] or "").strip() for _, r in edited.iterrows()
                 if str(r[left] or "").strip()}
        removed = set(current[left]) - set(pairs) if not current.empty else set()
        with common.cursor() as cur:
            writer(cur, {**pairs, **{k: "" for k in removed}})
        common.after_write()
        st.rerun()


_counts()
# only the open tab runs (on_change="rerun"); the tab's label in the reader's language is its state
TABS = {i18n.N_("Import"): _import_tab, i18n.N_("History and undo"): _history_tab,
        i18n.N_("Templates"): _templates_tab, i18n.N_("Mappings"): _mappings_tab}
common.lazy_tabs(TABS, "data_tab")
