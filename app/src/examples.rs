//! Example tasting notes offered on the predict page, written for VinoVoyant.

/// One example note with the short name its button shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Example {
    /// What the button says.
    pub title: &'static str,
    /// The note it puts in the textarea.
    pub text: &'static str,
}

/// The examples, in the order the page shows them.
pub const EXAMPLES: &[Example] = &[
    Example {
        title: "Big, oaky Cabernet",
        text: "Blackcurrant, cassis and cedar lead the way, backed by vanilla and mocha \
               from new oak. Full bodied and plush, with ripe tannins and a long, warm \
               finish. A Napa Valley Cabernet Sauvignon built to age.",
    },
    Example {
        title: "Flinty white",
        text: "Taut and mineral: lemon zest, green apple and crushed oyster shell on the \
               nose, with a flinty, chalky edge. Lean and saline on the palate, the \
               Chardonnay shows restraint and bright acidity through a long finish.",
    },
    Example {
        title: "Rustic red with herbs",
        text: "Dried cherry, leather and a savoury hint of tomato leaf and oregano. Bright \
               acidity and grippy, dusty tannins make this Sangiovese a natural partner \
               for pasta and grilled meats.",
    },
    Example {
        title: "Off-dry Riesling",
        text: "Petrol and lime on the nose, then peach and honeysuckle. Off-dry yet racy, \
               with slate-driven minerality and a light body that carries a remarkably \
               long finish.",
    },
    Example {
        title: "Plummy Malbec",
        text: "Dark plum, violet and blackberry jam, with a dusting of cocoa and sweet \
               spice. Soft, generous tannins and a juicy finish; a high-altitude Malbec \
               that is ready to drink now.",
    },
];
