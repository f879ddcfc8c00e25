//! Settings given for every head at once (the command line's `--epochs` and co.),
//! over each head's tuned value: callers need not know how many heads there are.

use crate::fit::FitOptions;

/// Values that replace every head's tuned one; `None` keeps each head's own.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HeadOverrides {
    /// Passes over the data.
    pub epochs: Option<usize>,
    /// Adam's initial step size.
    pub learning_rate: Option<f32>,
    /// Class balancing: 0 ignores class sizes, 1 weighs every class alike.
    pub balance_power: Option<f32>,
    /// Share of each review's features dropped at random in every pass.
    pub dropout: Option<f32>,
    /// L2 penalty on the weights of the features a batch touches.
    pub l2: Option<f32>,
    /// Weight of the one-vs-rest SVM scores added to both country heads' logits.
    pub margin_weight: Option<f32>,
}

impl HeadOverrides {
    /// Sets the given values on the country, province and distilled heads.
    pub fn apply(&self, fit: &mut FitOptions) {
        for options in [&mut fit.country, &mut fit.province, &mut fit.distilled] {
            options.epochs = self.epochs.unwrap_or(options.epochs);
            options.learning_rate = self.learning_rate.unwrap_or(options.learning_rate);
            options.balance_power = self.balance_power.unwrap_or(options.balance_power);
            options.dropout = self.dropout.unwrap_or(options.dropout);
            options.l2 = self.l2.unwrap_or(options.l2);
        }
        if let Some(weight) = self.margin_weight {
            fit.margin_weight = weight;
            fit.distilled_margin_weight = weight;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_values_reach_every_head_and_the_rest_stay_tuned() {
        let tuned = FitOptions::default();
        let mut fit = FitOptions::default();
        HeadOverrides {
            epochs: Some(3),
            margin_weight: Some(0.0),
            ..HeadOverrides::default()
        }
        .apply(&mut fit);
        for (head, tuned) in [
            (&fit.country, &tuned.country),
            (&fit.province, &tuned.province),
            (&fit.distilled, &tuned.distilled),
        ] {
            assert_eq!(head.epochs, 3);
            assert_eq!(head.learning_rate, tuned.learning_rate);
        }
        assert_eq!(fit.margin_weight, 0.0);
        assert_eq!(fit.distilled_margin_weight, 0.0);
        assert_eq!(fit.province_margin_weight, tuned.province_margin_weight);
    }
}
