//! "Wines like yours": the reviews of the server's data set that read most like
//! the note the full model answered, or where they would come from.

use leptos::prelude::*;

use crate::api::{ServerAnswer, SimilarWine, SimilarWines};

/// The similar wines of the full model's answer; nothing before an answer.
#[component]
pub fn SimilarSection(answer: Memo<Option<ServerAnswer>>) -> impl IntoView {
    let body = move || answer.with(|answer| answer.as_ref().map(|a| similar_body(&a.similar)));
    view! {
        <Show when=move || answer.with(Option::is_some)>
            <section class="panel similar" aria-labelledby="similar-title" data-testid="similar">
                <header class="panel-head">
                    <h2 id="similar-title">"Wines like yours"</h2>
                    <span class="badge">"from real reviews"</span>
                </header>
                {body}
            </section>
        </Show>
    }
}

/// The list, or a sentence saying why there is none.
fn similar_body(similar: &SimilarWines) -> AnyView {
    match similar {
        SimilarWines::NoData => view! {
            <p class="panel-status" data-testid="similar-status">
                "Wines like yours come from a set of real reviews that the server reads at start "
                "(a CSV file or an S3 object named by "
                <code>"--data"</code>
                "). This server has none."
            </p>
        }
        .into_any(),
        SimilarWines::Indexing { source } => view! {
            <p class="panel-status" data-testid="similar-status">
                "The reviews from " {source.clone()} " are still being indexed. "
                "Ask again in a few seconds."
            </p>
        }
        .into_any(),
        SimilarWines::Unavailable { source } => view! {
            <p class="panel-status" data-testid="similar-status">
                "The reviews from " {source.clone()} " could not be read, so there are no wines to compare with."
            </p>
        }
        .into_any(),
        SimilarWines::Found { wines, .. } if wines.is_empty() => view! {
            <p class="panel-status" data-testid="similar-status">
                "No review shares enough words with this note to compare."
            </p>
        }
        .into_any(),
        SimilarWines::Found { source, wines } => {
            let items: Vec<AnyView> = wines.iter().map(wine_item).collect();
            view! {
                <ol class="similar-list" data-testid="similar-list">
                    {items}
                </ol>
                <p class="panel-foot">
                    "Reviews from " {source.clone()}
                    ". Similarity compares the weight of the words two notes share (100% is the same words)."
                </p>
            }
            .into_any()
        }
    }
}

/// One review: its name, origin, grape, points and price, and first sentence.
fn wine_item(wine: &SimilarWine) -> AnyView {
    let title = wine
        .title
        .clone()
        .unwrap_or_else(|| "An unnamed wine".to_string());
    let origin: Vec<&str> = [
        wine.province.as_deref(),
        Some(wine.country.as_str()),
        wine.variety.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut facts = origin.join(" · ");
    if let Some(points) = wine.points {
        facts.push_str(&format!(" · {points:.0} points"));
    }
    if let Some(price) = wine.price {
        facts.push_str(&format!(" · ${price:.0}"));
    }
    let similarity = format!("{}% similar", (wine.score * 100.0).round() as u32);
    view! {
        <li class="similar-wine">
            <p class="similar-title">
                <strong>{title}</strong>
                " "
                <span class="similar-score">{similarity}</span>
            </p>
            <p class="similar-facts">{facts}</p>
            <p class="similar-sentence">{wine.first_sentence.clone()}</p>
        </li>
    }
    .into_any()
}
