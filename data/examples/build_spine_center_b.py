"""Rebuild ``spine_center_b.xlsx`` (an invented institution; every value is made up).

Convention of this institution: survival as a duration in days from the first radiotherapy
fraction to the spine, primary site as ICD-10 codes, sex coded 1 = male / 2 = female,
laboratory values in SI-style units (CRP mg/L, haemoglobin g/L, calcium mmol/L).
Run ``python data/examples/build_spine_center_b.py`` to regenerate the workbook.
"""
from pathlib import Path

import pandas as pd

HEADER = ("record_id,sex,age,icd10,histology,survival_days,status,ecog,frankel_grade,visceral,n_vertebrae,"
          "other_bone_mets,crp_mg_l,hb_g_l,calcium_mmol_l,egfr,alk,er,pr,her2,ambulatory,chemo")
ROWS = HEADER + """
B0001,1,67,C34.1,adenocarcinoma,412,dead,1,E,unresectable,2,3,12.0,118,2.45,mut,neg,,,,Y,Y
B0002,2,54,C50.9,ductal,1650,alive,0,E,none,1,5,2.0,131,2.38,,,pos,pos,neg,Y,Y
B0003,1,72,C61,,980,dead,1,D,none,4,12,4.5,124,2.51,,,,,,Y,N
B0004,1,61,C64.9,clear cell,730,alive,1,E,resectable,1,0,8.1,112,2.60,,,,,,Y,Y
B0005,2,49,C73,follicular,2100,alive,0,E,none,2,2,0.9,135,2.30,,,,,,Y,N
B0006,1,75,C18.7,,145,dead,2,C,unresectable,3,1,55.0,98,2.71,,,,,,N,Y
B0007,2,66,C20,,388,dead,2,D,resectable,2,0,31.2,104,2.44,,,,,,Y,Y
B0008,1,70,C16.9,,61,dead,3,B,unresectable,5,2,88.0,91,2.82,,,,,,N,N
B0009,1,58,C79.5,,210,dead,2,D,unresectable,1,4,40.5,102,2.66,,,,,,Y,N
B0010,2,63,C90.0,,1200,alive,1,E,none,6,20,3.3,99,2.90,,,,,,Y,Y
B0011,1,69,C80.1,,95,dead,3,C,unresectable,2,1,71.0,95,2.77,,,,,,N,N
B0012,2,57,C34.9,nsclc,0,dead,2,E,unresectable,1,0,20.0,110,2.50,wt,pos,,,,Y,Y
B0013,1,64,C43.5,,-30,dead,1,E,unresectable,2,1,15.0,120,2.40,,,,,,Y,Y
B0014,2,71,C54.1,,320,2,2,D,none,1,0,9.5,108,2.48,,,,,,Y,N
B0015,1,52,C7A.1,,1500,alive,0,E,none,1,1,1.1,140,2.35,,,,,,Y,N
B0016,2,60,C25.0,,40,dead,5,A,unresectable,3,2,120.0,85,2.95,,,,,,N,Y
"""

if __name__ == "__main__":
    from io import StringIO

    frame = pd.read_csv(StringIO(ROWS), dtype=str, keep_default_na=False)
    for c in ("sex", "age", "survival_days", "ecog", "n_vertebrae", "other_bone_mets"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").where(frame[c] != "", None)
    for c in ("crp_mg_l", "hb_g_l", "calcium_mmol_l"):
        frame[c] = pd.to_numeric(frame[c])
    frame.loc[frame["status"] == "2", "status"] = 2  # a numeric 2 as typed by the registrar
    out = Path(__file__).with_name("spine_center_b.xlsx")
    frame.to_excel(out, index=False, sheet_name="export")
    print(f"wrote {out} ({len(frame)} rows)")
