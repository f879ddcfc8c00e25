"""The reference the load benchmark compares VinoVoyant with: what the original app did.

FastAPI + uvicorn, a scikit-learn TF-IDF (100 features) + logistic regression model
trained at start-up on the review CSV, answering POST /api/v1/predict with the top
country and the five most probable ones.

Run by bench/load/run.sh:  REFERENCE_CSV=path uvicorn reference_service:app
"""

import csv
import os

from fastapi import FastAPI
from pydantic import BaseModel
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline


def load(path):
    texts, countries = [], []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["description"] and row["country"]:
                texts.append(row["description"])
                countries.append(row["country"])
    return texts, countries


texts, countries = load(os.environ["REFERENCE_CSV"])
model = make_pipeline(
    TfidfVectorizer(max_features=100),
    LogisticRegression(max_iter=1000),
)
model.fit(texts, countries)
labels = list(model.classes_)

app = FastAPI()


class PredictRequest(BaseModel):
    description: str


@app.post("/api/v1/predict")
def predict(request: PredictRequest):
    probabilities = model.predict_proba([request.description])[0]
    ranked = sorted(zip(labels, probabilities), key=lambda p: -p[1])[:5]
    return {
        "country": ranked[0][0],
        "predictions": [{"label": l, "probability": float(p)} for l, p in ranked],
    }


@app.get("/health")
def health():
    return {"status": "ok"}
