"""Write the public teaching data sets that R and Python both read for the metric references.

veteran: VA lung cancer trial (Kalbfleisch & Prentice 1980), as shipped with scikit-survival.
lung: NCCTG advanced lung cancer (Loprinzi et al., J Clin Oncol 1994), as shipped with lifelines.
Run once: ``python tests/reference/make_data.py``; then ``Rscript tests/reference/make_reference.R``.
"""
from pathlib import Path

import pandas as pd
from lifelines.datasets import load_lung
from sksurv.datasets import load_veterans_lung_cancer

HERE = Path(__file__).resolve().parent

X, y = load_veterans_lung_cancer()
vet = pd.DataFrame({
    "time": y["Survival_in_days"], "status": y["Status"].astype(int),
    "age": X["Age_in_years"], "celltype": X["Celltype"].astype(str),
    "karno": X["Karnofsky_score"], "diagtime": X["Months_from_Diagnosis"],
    "prior": (X["Prior_therapy"] == "yes").astype(int),
    "trt": (X["Treatment"] == "test").astype(int)})
vet.to_csv(HERE / "veteran.csv", index=False)

lung = load_lung()[["time", "status", "age", "sex", "ph.ecog", "ph.karno"]]
lung = lung.rename(columns={"ph.ecog": "ph_ecog", "ph.karno": "ph_karno"}).dropna()
lung["ph_ecog"] = lung["ph_ecog"].astype(int)
lung["ph_karno"] = lung["ph_karno"].astype(int)
lung.to_csv(HERE / "lung.csv", index=False)
print(len(vet), len(lung))
