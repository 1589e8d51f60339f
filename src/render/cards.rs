//! Cards: a provider's summary as listings show it, rendered once and placed on every listing.
//!
//! Each provider appears on ten or so listings (all providers, its commune, its families and
//! skills, the home page). When the theme has a `partials/card.html` template, each card is
//! rendered by it the first time a listing needs it and the listings get its HTML: at 100,000
//! providers that is 100,000 card renders instead of 800,000, and listings stopped costing four
//! times a provider page. A theme without that template gets each card's fields instead, as
//! listings always did.

use std::sync::OnceLock;

use serde::Serialize;

use crate::audience::{Card, View};

use super::RenderError;
use super::theme;

/// The template that renders one card, from `card` (the fields of [`Card`]).
pub const CARD_TEMPLATE: &str = "partials/card.html";

/// The cards of one view rendered with one set of templates, each at most once.
pub struct CardCache {
    /// One slot per card of the view; `None` when the theme has no [`CARD_TEMPLATE`].
    html: Option<Box<[OnceLock<Box<str>>]>>,
}

/// A card as a listing's template gets it: `{ html }` when the theme renders cards once, else
/// the card's fields.
#[derive(Serialize)]
#[serde(untagged)]
pub enum ListedCard<'a> {
    Html { html: &'a str },
    Fields(&'a Card),
}

impl CardCache {
    /// An empty cache for the cards of `view`, rendered with `tera` when it has the card template.
    pub fn new(view: &View, tera: &tera::Tera) -> CardCache {
        CardCache {
            html: tera
                .contains_template(CARD_TEMPLATE)
                .then(|| (0..view.cards.len()).map(|_| OnceLock::new()).collect()),
        }
    }

    /// The cards at `indices` (into [`View::cards`]), rendering those not rendered yet. The
    /// templates must be those of `view` the cache was made for.
    pub fn list<'c>(
        &'c self,
        view: &'c View,
        tera: &tera::Tera,
        indices: impl IntoIterator<Item = usize>,
    ) -> Result<Vec<ListedCard<'c>>, RenderError> {
        let Some(slots) = &self.html else {
            return Ok(indices
                .into_iter()
                .map(|i| ListedCard::Fields(&view.cards[i]))
                .collect());
        };
        indices
            .into_iter()
            .map(|i| {
                let slot = &slots[i];
                if let Some(html) = slot.get() {
                    return Ok(ListedCard::Html { html });
                }
                let html = render_card(tera, &view.cards[i])?;
                // Two threads may render the same card at once; either result is the same.
                let _ = slot.set(html.into_boxed_str());
                let html = slot.get().map_or("", |h| h);
                Ok(ListedCard::Html { html })
            })
            .collect()
    }
}

fn render_card(tera: &tera::Tera, card: &Card) -> Result<String, RenderError> {
    let mut ctx = tera::Context::new();
    ctx.insert("card", card);
    tera.render(CARD_TEMPLATE, &ctx)
        .map_err(|e| RenderError::Page {
            path: card.url.clone(),
            template: CARD_TEMPLATE,
            detail: theme::error_chain(&e),
        })
}
