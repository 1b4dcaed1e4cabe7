"""Data: import files (any layout), check them, load them; batch history with undo; templates; mappings."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics import cloud, datasets, exchange
from analytics.ingest import itsm, load, mapping, normalise, read
from analytics.reports import xlsx
from views import common, uploads

FOCUS = "focus"
LABELS = {name: f"{name} — {d.help.split('.')[0]}" for name, d in datasets.DATASETS.items()}
LABELS[FOCUS] = "focus — cloud billing in FinOps FOCUS (detail rows + monthly spend lines)"
NONE = "(not in file)"
FILE_TYPES = ["csv", "txt", "tsv", "xlsx", "xlsm", "xls", "ods", "gz", "zip", "parquet"]

conf = common.header("Data", "import your files, check them, see what was loaded, undo a batch")

if "data_flash" in st.session_state:
    st.success(st.session_state.pop("data_flash"))


def _counts() -> None:
    counts = list(common.cached(load.row_counts).items())
    per_row = 6
    for start in range(0, len(counts), per_row):
        cells = st.columns(per_row)
        for cell, (name, rows) in zip(cells, counts[start:start + per_row]):
            cell.metric(name.replace("_", " "), f"{rows:,}")


# how to settle a refused file, in this page's words (the CLI names its flags instead)
SETTLE = {
    "decimal": "Choose the decimal mark under 'Decimal mark when the file cannot tell' and check the file again.",
    "mapping": "Under Column mapping, choose the file's column for each one, or type one value for every row.",
    "replace": "To load it again, undo that batch under 'History and undo' first.",
    "strict": "Untick 'Refuse blank names' to import them as a placeholder.",
}


def _refused(exc) -> None:
    """A refused file, said in the page's words."""
    hint = SETTLE.get(getattr(exc, "setting", None) or "")
    st.error(str(exc) + (f" {hint}" if hint else ""))


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
    for cell, title in zip(top, ["column", "from the file's column", "sample values", "or the same value for every row"]):
        cell.caption(title)
    for col in dataset.columns:
        left, middle, right, last = st.columns([2, 3, 4, 2])
        left.markdown(f"**{col.name}**" + (" *" if col.required else ""), help=col.help)
        options = [NONE] + headers
        default = options.index(proposed[col.name]) if proposed.get(col.name) in headers else 0
        chosen = middle.selectbox(col.name, options, index=default, key=f"{key}_map_{col.name}",
                                  label_visibility="collapsed")
        if chosen != NONE:
            explicit[col.name] = chosen
            sample = [v for v in frame[chosen].astype(str).head(50).tolist() if v.strip()][:3]
            right.caption(" · ".join(sample) or "(empty)")
        value = last.text_input(col.name, "", key=f"{key}_const_{col.name}", label_visibility="collapsed",
                                placeholder=f"e.g. {col.example}" if chosen == NONE and col.required else "")
        if value.strip():
            constants[col.name] = value.strip()
            explicit.pop(col.name, None)
    return explicit, constants


def _show_errors(errors, file_name: str, key: str) -> None:
    table = pd.DataFrame([{"file": e.file, "row": e.row, "column": e.column, "reason": e.reason} for e in errors])
    st.error(f"{len(errors):,} problem(s) in {len({e.row for e in errors}):,} row(s) of {file_name}.")
    common.table(table.head(1000), f"{key}_errors_table")
    st.download_button("Download all problems (CSV)", xlsx.csv_bytes(table),
                       f"{Path(file_name).stem}-problems.csv", "text/csv", key=f"{key}_errors")


def _check_and_import(dataset_name: str, path: Path, upload_name: str, sheet, all_sheets: bool,
                      options: load.ImportOptions, focus_options: dict, commit: bool):
    """Run the pipeline (check only, or check and load) on the app's connection; returns prepared imports."""
    with common.cursor() as cur, st.status("Reading and checking the file…", expanded=commit) as status:
        progress = st.progress(0.1, text="reading")
        if dataset_name == FOCUS:
            prepared = [cloud.prepare_focus(cur, path, display_name=upload_name, **focus_options)]
        else:
            prepared = load.prepare_file(cur, dataset_name, path, sheet=sheet, all_sheets=all_sheets,
                                         display_name=upload_name, options=options)
        progress.progress(0.6, text="checked")
        if commit:
            status.update(label="Writing…")
            if dataset_name == FOCUS:
                result = cloud.commit_focus(cur, prepared[0], user=common.user().name)
                message = f"Imported {result.detail_rows:,} FOCUS rows and {result.rows:,} monthly spend lines " \
                          f"as batch {result.batch_id}."
            else:
                results = load.commit_many(cur, prepared, user=common.user().name)
                message = "; ".join(f"{r.file_name}: {r.rows:,} rows as batch {r.batch_id}"
                                    + (f" ({r.rejected:,} rows left out)" if r.rejected else "") for r in results)
            progress.progress(1.0, text="done")
            status.update(label="Imported", state="complete")
            return prepared, message
        progress.progress(1.0, text="checked")
        status.update(label="Checked", state="complete", expanded=False)
    return prepared, None


def _import_tab() -> None:
    dataset_name = st.selectbox("Dataset", list(LABELS), format_func=LABELS.get, key="data_dataset")
    upload = st.file_uploader("File (CSV, Excel, CSV.gz, ZIP, Parquet)", type=FILE_TYPES,
                              key=f"data_file_{st.session_state.get('data_upload_round', 0)}")
    if upload is None:
        st.caption("Any layout: the importer finds the header row, the delimiter, the encoding and the number and "
                   "date formats, and proposes a column mapping you can correct. Templates are in the next tab.")
        return
    path = _saved_upload(upload)
    sheets = read.sheet_names(path) if dataset_name != FOCUS else []
    sheet, all_sheets = None, False
    if len(sheets) > 1:
        choice = st.selectbox("Sheet", sheets + ["(all sheets)"], key="data_sheet")
        all_sheets = choice == "(all sheets)"
        sheet = None if all_sheets else choice
    try:
        raw = _remembered(("read", str(path), sheet),
                          lambda: read.read_table(path, sheet=sheet, display_name=upload.name))
    except read.ReadError as exc:
        st.error(str(exc))
        return
    st.subheader("Preview")
    st.dataframe(raw.frame.drop(columns="_row").head(10), hide_index=True, width="stretch")
    for note in raw.notices:
        st.caption(f"ℹ️ {note}")
    options = load.ImportOptions()
    focus_options = {}
    if dataset_name == FOCUS:
        left, right = st.columns(2)
        tag = left.text_input("Cost center from tag (optional)", "", key="data_focus_tag",
                              help="The Tags key holding the cost center, e.g. business_unit. Without it the "
                                   "sub-account mapping, then the sub-account name, is used.")
        by_service = right.checkbox("Category from ServiceCategory", key="data_focus_service",
                                    help="Default: every line is in the cost pool Cloud Services.")
        focus_options = {"cost_center_tag": tag.strip() or None, "category_from_service": by_service}
    else:
        options = _options_form(dataset_name, raw, str(path))
        if options is None:
            return
    check = st.button("Check file", key="data_check", type="secondary")
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
    order = left.selectbox("Date order when the file cannot tell", ["detect", "dmy", "mdy"], key="data_date_order",
                           format_func={"detect": "detect from the data", "dmy": "day/month (31/12)",
                                        "mdy": "month/day (12/31)"}.get)
    decimal = middle.selectbox("Decimal mark when the file cannot tell", ["detect", ".", ","], key="data_decimal",
                               format_func={"detect": "detect from the data", ".": "point (1,234.56)",
                                            ",": "comma (1.234,56)"}.get)
    skip = right.checkbox("Import the valid rows, list the others", key="data_skip_invalid",
                          help="Default: a file with any invalid row is not imported at all.")
    strict = right.checkbox("Refuse blank names", key="data_strict",
                            help="Default: a payment with a blank vendor, cost center or category is imported as "
                                 "'(not stated)' (and a withheld name as '(redacted)'), and counted in the summary.")
    fiscal_year = None
    if dataset_name == "budget":
        fy = st.number_input("Fiscal year (for month columns without a year)", 0, 2100, 0, key="data_fiscal_year",
                             help="0: take it from the sheet (FY2026 in a title, a Year column, or the file name).")
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
    st.subheader("Column mapping")
    if profile:
        st.caption(f"Proposed from the saved profile **{profile.name}** (a file with the same headers).")
        by_norm = {mapping.normalise_header(h): h for h in headers}
        proposed = {c: by_norm.get(mapping.normalise_header(h), h) for c, h in profile.source.items()}
    else:
        st.caption("Proposed from the headers (synonyms in English and European languages, typos tolerated) and "
                   "the values. Correct it where needed; * marks required columns.")
        proposed = mapping.propose(headers, dataset, frame=frame)
    explicit, constants = _mapping_editor(dataset, frame, proposed, f"data_{dataset_name}")
    if profile:
        constants = {**profile.constants, **constants}
    options.explicit_map, options.constants = explicit, constants
    name = st.text_input("Save this mapping as a profile (optional)", "", key="data_profile_name",
                         help="A later file with the same headers will use it by itself.")
    options.profile = name.strip() or (profile.name if profile else None)
    return options


def _show_check(dataset_name, path, upload_name, sheet, all_sheets, options, focus_options, key) -> None:
    checked = st.session_state.get("data_checked")
    if not checked or checked["key"] != key:
        return
    if checked["mapping"]:
        st.caption("Mapping: " + "; ".join(checked["mapping"]))
    if checked["formats"]:
        st.caption("Formats read: " + "; ".join(f"{k}: {v}" for k, v in checked["formats"].items()))
    if checked["notices"]:
        st.info("\n".join(f"- {n}" for n in checked["notices"]))
    if checked["errors"]:
        _show_errors(checked["errors"], upload_name, "data_check")
    if checked.get("missing_fx"):
        _missing_fx(checked["missing_fx"])
    if not checked["ok"]:
        st.warning("Nothing can be imported until these problems are fixed (or tick 'Import the valid rows').")
        return
    left = len({e.row for e in checked["errors"]})
    label = f"Import {checked['rows'] - left:,} rows" if dataset_name != FOCUS else "Import the FOCUS file"
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
            message += f" Mapping saved as profile {name!r}."
        brought = [n for p in prepared for n in p.coverage.notices(conf["fiscal_year_start_month"])]
        common.after_write("import", message)
        _upload_folder().clear()   # the file is in the database now; the uploader starts afresh
        st.session_state["data_upload_round"] = st.session_state.get("data_upload_round", 0) + 1
        st.session_state.pop("data_checked", None)
        st.session_state["data_flash"] = " ".join([message] + [f"It {n}." if n.startswith("brings") else f"Note: {n}."
                                                             for n in brought])
        st.rerun()


def _missing_fx(missing: dict[str, list[str]]) -> None:
    """Warn that some amounts cannot be converted, and offer the way to add their rates."""
    lines = [f"- **{c}**: {len(m)} month(s), {m[0]}" + (f" to {m[-1]}" if len(m) > 1 else "")
             for c, m in missing.items()]
    st.warning("No fx rates for these currencies and months: their amounts will not be converted into the "
               "reporting currency until rates are imported. Add them with the "
               "dataset **fx** above (template below), one row per month and currency.\n" + "\n".join(lines))
    st.download_button("fx template (CSV)", exchange.template_bytes("fx", "csv"), "fx-template.csv", "text/csv",
                       key="data_fx_template")


def _history_tab() -> None:
    batches = common.cached(load.batches)
    if batches.empty:
        st.info("No imports yet.")
        return
    common.table(batches, "data_batches_table", download="import-batches")
    ids = batches["batch_id"].tolist()
    label = {int(r.batch_id): f"{r.batch_id} · {r.dataset} · {r.file_name} · {r.rows:,} rows"
             for r in batches.itertuples()}
    chosen = st.selectbox("Batch", ids, format_func=lambda b: label[int(b)], key="data_batch")
    rejected = common.cached(load.rejects, batch_id=int(chosen))
    if not rejected.empty:
        st.caption(f"Rows left out of batch {chosen} and why:")
        common.table(rejected, "data_rejected_table")
    originals = common.cached(load.original_text, batch_id=int(chosen))
    if not originals.empty:
        st.caption(f"Names batch {chosen} stored differently from the file (cleaned spaces and invisible "
                   "characters, or a placeholder for a withheld name), with the file's text:")
        common.table(originals, "data_originals")
    if st.button(f"Undo batch {chosen}", key="data_undo"):
        st.session_state["data_undo_pending"] = int(chosen)
    pending = st.session_state.get("data_undo_pending")
    if pending is not None and pending in label:
        st.warning(f"Remove batch {label[pending]} and every row it loaded? This cannot be undone.")
        yes, no = st.columns(2)
        if yes.button("Yes, remove it", key="data_undo_confirm", type="primary"):
            with common.cursor() as cur:
                dataset, rows = load.undo(cur, pending)
            common.after_write("undo", f"batch {pending}: {rows} {dataset} rows removed")
            st.session_state.pop("data_undo_pending", None)
            st.session_state["data_flash"] = f"Removed batch {pending}: {rows:,} {dataset} rows."
            st.rerun()
        if no.button("Cancel", key="data_undo_cancel"):
            st.session_state.pop("data_undo_pending", None)
            st.rerun()


def _templates_tab() -> None:
    st.caption("An empty file in the canonical columns, with one example row (the XLSX has a sheet describing "
               "each column). Your own files work too: the importer maps their columns.")
    for name, dataset in datasets.DATASETS.items():
        left, middle, right = st.columns([4, 1, 1])
        left.markdown(f"**{name}** — {dataset.help}")
        # written when clicked (26 files on every page run took ~2 s)
        middle.download_button("CSV", lambda name=name: exchange.template_bytes(name, "csv"), f"{name}-template.csv",
                               "text/csv", key=f"data_tpl_{name}_csv")
        right.download_button("XLSX", lambda name=name: exchange.template_bytes(name, "xlsx"), f"{name}-template.xlsx",
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                              key=f"data_tpl_{name}_xlsx")


def _mappings_tab() -> None:
    st.subheader("Saved column mappings (profiles)")
    profiles = common.cached(mapping.list_profiles)
    if profiles.empty:
        st.caption("None yet: name a mapping when you import a file, or pass --profile NAME to the CLI.")
    else:
        common.table(profiles, "data_profiles_table")
        gone = st.selectbox("Profile", profiles["name"].tolist(), key="data_profile_pick")
        if st.button("Delete profile", key="data_profile_delete"):
            with common.cursor() as cur:
                mapping.delete_profile(cur, gone)
            common.after_write()
            st.rerun()
    st.subheader("Ticket assignment groups → contracts")
    st.caption("Applied when importing ITSM exports: a ticket of a mapped group (or vendor) gets its contract.")
    _pair_editor(itsm.contract_map, itsm.save_contract_map, "source_value", "contract_id",
                 "data_ticket_map")
    st.subheader("Cloud sub-accounts → cost centers")
    st.caption("Applied when importing FOCUS billing, before the cost-center tag and the sub-account name.")
    _pair_editor(cloud.cost_center_map, cloud.save_cost_center_map, "sub_account_id", "cost_center",
                 "data_cloud_map")


def _pair_editor(reader, writer, left: str, right: str, key: str) -> None:
    current = common.cached(reader)
    edited = st.data_editor(current if not current.empty else pd.DataFrame({left: [], right: []}, dtype=str),
                            num_rows="dynamic", hide_index=True, key=key, width="stretch")
    if st.button("Save", key=f"{key}_save"):
        pairs = {str(r[left]).strip(): str(r[right] or "").strip() for _, r in edited.iterrows()
                 if str(r[left] or "").strip()}
        removed = set(current[left]) - set(pairs) if not current.empty else set()
        with common.cursor() as cur:
            writer(cur, {**pairs, **{k: "" for k in removed}})
        common.after_write()
        st.rerun()


_counts()
# only the open tab runs (on_change="rerun")
TABS = {"Import": _import_tab, "History and undo": _history_tab, "Templates": _templates_tab,
        "Mappings": _mappings_tab}
for tab, draw in zip(st.tabs(list(TABS), key="data_tab", on_change="rerun"), TABS.values()):
    with tab:
        if tab.open:
            draw()
