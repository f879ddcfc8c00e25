"""Writes a small, made-up review CSV for the benchmarks' smoke runs.

Every row is invented here from a few wine phrases per country (no row of the real
review data), with the real CSV's columns, so the scripts under bench/ can run for
a few seconds on a fresh clone without `../shared/data/wine_reviews.csv`.

Usage: python3 bench/fixture.py OUT.csv [ROWS_PER_COUNTRY]   (default 50; seeded,
the same file every time)
"""

import csv
import random
import sys

COLUMNS = [
    "description", "country", "province", "region_1", "variety",
    "winery", "points", "price", "title", "taster_name",
]

# country: (provinces, varieties, phrases that lean towards it)
COUNTRIES = {
    "France": (
        ["Burgundy", "Bordeaux", "Loire Valley", "Rhône Valley"],
        ["Pinot Noir", "Chardonnay", "Merlot", "Chenin Blanc", "Syrah"],
        "graphite, chalky minerality, crème de cassis, Pommard, Pauillac, Sancerre, barrique spice, garrigue",
    ),
    "Italy": (
        ["Piedmont", "Tuscany", "Sicily & Sardinia", "Veneto"],
        ["Nebbiolo", "Sangiovese", "Nero d'Avola", "Corvina"],
        "tar, roses, sour cherry, Barolo, Chianti Classico, Brunello, amarena cherry, dried herbs",
    ),
    "Spain": (
        ["Northern Spain", "Catalonia", "Levante"],
        ["Tempranillo", "Garnacha", "Albariño", "Monastrell"],
        "Rioja, Ribera del Duero, dill, American oak, reserva character, crianza, leathery notes",
    ),
    "US": (
        ["California", "Washington", "Oregon", "New York"],
        ["Cabernet Sauvignon", "Zinfandel", "Pinot Noir", "Chardonnay"],
        "Napa fruit, Sonoma Coast, buttery richness, jammy fruit, cola, Willamette Valley, Columbia Valley, brambly fruit",
    ),
    "Argentina": (
        ["Mendoza Province", "Other"],
        ["Malbec", "Torrontés", "Bonarda"],
        "Mendoza, Uco Valley, Luján de Cuyo, violet, plummy fruit, high-altitude freshness, rubbery notes",
    ),
    "Germany": (
        ["Mosel", "Rheingau", "Pfalz"],
        ["Riesling", "Spätburgunder", "Grüner Veltliner"],
        "petrol, slate, Kabinett, Spätlese, Mosel, off-dry sweetness, lime zest, honeyed notes, steely acidity",
    ),
    "Australia": (
        ["South Australia", "Victoria", "Western Australia"],
        ["Shiraz", "Grenache", "Semillon"],
        "Barossa, eucalyptus, mint, McLaren Vale, blackberry jam, milk chocolate",
    ),
    "Portugal": (
        ["Douro", "Alentejano", "Vinho Verde"],
        ["Touriga Nacional", "Port", "Alvarinho"],
        "Douro, schist, Touriga, fortified richness, a spritzy edge, Alentejo, quinta fruit, figgy notes",
    ),
}

SHARED = (
    "black cherry, ripe plum, raspberry, citrus, green apple, pear, vanilla, toasted oak, "
    "baking spice, black pepper, earthy notes, firm tannins, bright acidity, a long finish, "
    "smooth texture, fresh fruit, elegance, structure, concentration, juicy fruit, savory notes, "
    "minerality, toast, tobacco, leather, herbal tones"
).split(", ")

WRITERS = ["Ada Fixture", "Ben Fixture", "Cleo Fixture", "Dan Fixture"]


def note(rng, words):
    """One tasting note: sentences of shared phrases with a few leaning ones."""
    leaning = words.split(", ")
    sentences = []
    for _ in range(rng.randint(2, 4)):
        picked = rng.sample(SHARED, rng.randint(3, 6)) + rng.sample(leaning, rng.randint(0, 2))
        rng.shuffle(picked)
        sentences.append(
            f"{rng.choice(['This', 'The wine', 'It', 'A blend that'])} shows "
            f"{', '.join(picked[:-1])} and {picked[-1]}."
        )
    return " ".join(sentences)


def main():
    target = sys.argv[1]
    per_country = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    rng = random.Random(20261203)
    rows = []
    for country, (provinces, varieties, words) in COUNTRIES.items():
        for i in range(per_country):
            variety = rng.choice(varieties)
            province = rng.choice(provinces)
            winery = f"Fixture Estate {country[:3]}{i % 7}"
            vintage = rng.randint(2005, 2020)
            rows.append({
                "description": note(rng, words),
                "country": country,
                "province": province,
                "region_1": "",
                "variety": variety,
                "winery": winery,
                "points": rng.randint(80, 98),
                "price": rng.randint(8, 120),
                "title": f"{winery} {vintage} {variety} ({province})",
                "taster_name": rng.choice(WRITERS),
            })
    rng.shuffle(rows)
    with open(target, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
