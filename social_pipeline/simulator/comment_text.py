"""Comment texts for the demo world, written by a small grammar in several languages.

Why
    The demo is what a new user sees first. A world that repeats a couple of dozen fixed comments
    reads as fake at once, and it exercises nothing of the sentiment scorer. This module writes
    each comment from templates and slots (reactions, praise, questions, requests, jokes,
    criticism, tags of friends, emoji runs, typos), in English, Spanish, Portuguese, German,
    French, Italian, Japanese, Korean, Arabic and Hindi, so a demo year holds thousands of
    distinct texts and no text is a large share of them (54 accounts over a year: ~30,000
    distinct texts in ~70,000 comments, the most common one ~0.5 %).

Tone follows the post
    Each post has a *controversy* in [0, 1] (``controversy(post)``), a pure function of the post's
    identity and caption: most posts are liked (0.05-0.3), some split their audience, a few draw a
    pile-on; captions that invite argument ("hot take", "unpopular opinion") draw at least a
    split audience, and debatable ones ("Honest review", "vs", "myth") lean that way. A comment
    is negative with probability ``0.04 + 0.6 * controversy`` and neutral (a question, a
    request, a joke) with probability 0.33; the rest is praise. So a controversial post's
    comments score lower on average than a well-liked post's.

Topic
    Comments name what the post is about when the world says so: a ``niche`` (or ``topic``)
    attribute on the post or its account, when present, picks nouns ("this recipe", "the
    workout"); otherwise the post's format does ("this video", "the carousel"). Hashtags of the
    post are sometimes asked about ("More #travel content please").

Languages
    Comments follow the audience: the languages of the account's audience in the post's month
    (``audience.demographics(...)["top_languages"]``, when the world has an audience model) that
    this grammar writes make up 60 % of the comments in their proportions, and English, the common
    language of comment sections, the rest (``commenter_languages``). Without an audience model
    an account draws its own mix (English first, one to three others). A reply is in its parent's
    language 70 % of the time, and the creator answers in the commenter's language when the
    grammar has that language. ``language_of(text)`` reads back which language this
    grammar wrote a text in (by the words only one language's templates use), which is how a
    reply finds its parent's language and tone without any state outside the arguments.

Determinism
    ``text(r, post, ...)`` draws only from ``r``, the generator ``world._comments_of`` seeds from
    the post, so the texts are a pure function of the post and the comment's place in it. (A
    generator of its own per comment would keep a grammar change from moving the numbers drawn
    after the text, but seeding one costs ~4 us, more than writing the comment.) Everything else
    here (a post's controversy, an account's languages) is a pure function of stable inputs,
    hashed with SHA-256, never Python's salted ``hash``.
"""

from __future__ import annotations

import bisect
import hashlib
import random
import re
from dataclasses import dataclass
from functools import lru_cache

POSITIVE, NEUTRAL, NEGATIVE = "positive", "neutral", "negative"
TONES = (POSITIVE, NEUTRAL, NEGATIVE)

# --------------------------------------------------------------------------------------------
# Grammar. Templates name slots in braces; a slot's fillers may name further slots. Slots not
# listed for a language fall back to the shared ones below (emoji, punctuation, mentions).
# --------------------------------------------------------------------------------------------

SHARED_SLOTS: dict[str, tuple[str, ...]] = {
    "pos_emoji": ("😍", "🔥", "❤️", "🙌", "👏", "💯", "😂", "🥰", "✨", "🙏", "👍", "😊", "🤩", "💪", "🐐"),
    "neu_emoji": ("👀", "🤔", "😅", "😂", "🤣", "🙈", "😮"),
    "neg_emoji": ("🙄", "👎", "😒", "🤮", "💩", "😡", "😬", "🤦", "😴", "😑"),
    "excl": ("", "!", "!!", "!!!", "."),
    "name": ("maya", "jules", "sam", "alex", "nina", "leo", "priya", "omar", "kenji", "lucia",
             "tom", "sofia", "noah", "ines", "max", "zoe", "ravi", "emma", "jack", "aya"),
    "mention": ("@{name}", "@{name}_{num}", "@its{name}", "@{name}.{name}"),
    "num": ("1", "7", "22", "99", "01", "x", "_"),
}
SHARED_SLOTS["Name"] = tuple(n.title() for n in SHARED_SLOTS["name"])

GRAMMAR: dict[str, dict[str, object]] = {
    "en": {
        "templates": {
            POSITIVE: (
                "{love} {thing}{excl}", "This is {praise}{excl}", "{thing_cap} is {praise}",
                "Best {noun} I've seen {when}", "You never miss{excl}", "{praise_cap}, thank you for sharing",
                "Thank you, this {helped}", "Underrated {channel}", "This made my {daypart}{excl}",
                "Came for the {noun}, stayed for {stay}", "Watched this {times} already",
                "The {detail} at the end{excl}", "Saving this for {later}", "{mention} we need to try this",
                "Instant follow{excl}", "Subscribed{excl}", "Okay this is actually {praise}",
                "The way you explained {thing} is {praise}", "Quality content as always",
                "Finally someone gets it{excl}", "I tried it and it worked{excl}", "So {calm} to watch",
                "Love this! 😍", "This is so helpful, thank you", "Amazing work as always",
                "Best thing I've seen today", "Your {noun}s are always {praise}", "{adj_cap} {noun}{excl}",
                "Obsessed with the {detail}", "Need more of this{excl}", "Great {noun}, great vibes",
            ),
            NEUTRAL: (
                "Can you do a part {n2}?", "Where did you get the {item}?", "What {gear} do you use?",
                "How long did this take?", "Does this work {cond}?", "lol same", "ok but why tho",
                "Saved for later", "me every {weekday}", "Who's here in {month}?", "Part {n2} when?",
                "{request} please{excl}", "Do a {format} next{excl}", "The algorithm brought me here",
                "Here from {source}", "{mention} look", "{mention} this is you", "{mention} 😂",
                "Which {gear} is that?", "Any tips for {beginners}?", "Wait, what {gear} is that?",
                "POV: me watching this at 3am", "Anyone else here from {source}?", "More {tag} content please",
                "Is this {noun} from {place}?", "How do you get the {detail} so smooth?",
                "Can you link the {item}?", "First time seeing your {channel}", "ok now I want to try it",
                "Commenting for the algorithm", "{mention} saving this for our trip",
            ),
            NEGATIVE: (
                "Worst take I've seen all week", "This didn't work for me, {neg_tail}",
                "Terrible audio, couldn't hear anything", "{neg_cap} {neg_thing}", "Clickbait. {neg_tail}",
                "Unfollowing, this is {neg}", "Not {good} at all", "I don't agree with this at all",
                "This is just wrong", "Honestly {neg}. {neg_tail}", "Skipped halfway, so {neg}",
                "Ugh, the {detail} ruined it", "Overrated", "Why does everyone love this? It's {neg}",
                "The {detail} is so {neg}", "Stop posting {neg} {noun}s", "I want my 30 seconds back",
                "This is bad advice", "Nobody asked for this", "Sorry but this is {neg}",
                "{neg_cap}. Do better", "Stopped watching after 10 seconds, {neg_tail}",
            ),
        },
        "slots": {
            "love": ("Love", "Loved", "Absolutely love", "Really love", "I love", "So in love with", "Really enjoyed"),
            "thing": ("this", "this {noun}", "the {noun}", "this one", "it"),
            "thing_cap": ("This", "This {noun}", "The {noun}", "This one"),
            "praise": ("amazing", "so good", "incredible", "beautiful", "super helpful", "brilliant", "perfect",
                       "awesome", "so useful", "great", "wonderful", "fantastic", "gorgeous", "genius",
                       "really good", "so cool", "lovely", "excellent"),
            "praise_cap": ("Amazing", "So good", "Incredible", "Beautiful", "Super helpful", "Brilliant",
                           "Perfect", "Awesome", "Great", "Wonderful", "Fantastic", "Genius", "Lovely"),
            "adj_cap": ("Amazing", "Incredible", "Beautiful", "Brilliant", "Perfect", "Awesome", "Great",
                        "Wonderful", "Fantastic", "Lovely", "Gorgeous", "Stunning"),
            "when": ("today", "all week", "in a long time", "this year", "on here", "all month"),
            "helped": ("helped a lot", "helped me so much", "saved my week", "is exactly what I needed",
                       "fixed my problem", "made it click"),
            "channel": ("channel", "account", "creator", "page"),
            "daypart": ("day", "morning", "week", "night", "whole weekend"),
            "stay": ("the vibes", "the editing", "your voice", "the ending", "the dog", "the music"),
            "times": ("three times", "five times", "like ten times", "twice", "on repeat"),
            "detail": ("transition", "edit", "last shot", "ending", "music", "lighting", "color grade",
                       "voiceover", "intro", "audio"),
            "later": ("later", "the weekend", "tomorrow", "my next trip", "when I have time"),
            "calm": ("satisfying", "relaxing", "calming", "wholesome"),
            "n2": ("2", "3", "two"),
            "item": ("shirt", "mic", "lights", "{noun}", "bag", "mug", "shoes", "lamp"),
            "gear": ("camera", "mic", "editing app", "lens", "light", "app", "setup"),
            "cond": ("for beginners", "on Android", "without an oven", "in winter", "on a budget",
                     "with a small space", "on a Mac", "for kids"),
            "weekday": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
            "request": ("Tutorial", "Full version", "Link", "Recipe", "Details", "Part 2", "More"),
            "format": ("Q&A", "day in the life", "full tutorial", "follow-up", "collab", "review",
                       "behind the scenes", "live"),
            "source": ("the algorithm", "Reddit", "your other video", "a friend", "Google", "the explore page"),
            "beginners": ("beginners", "someone on a budget", "small apartments", "people with no time",
                          "total beginners"),
            "place": ("last year", "your trip", "the old video", "a store"),
            "good": ("good", "helpful", "funny", "great", "useful"),
            "neg": ("terrible", "awful", "boring", "disappointing", "misleading", "cringe", "useless",
                    "lazy", "bad", "annoying", "pointless", "horrible", "overrated", "dumb"),
            "neg_cap": ("Terrible", "Awful", "Boring", "Disappointing", "Misleading", "Useless",
                        "Lazy", "Annoying", "Pointless", "Horrible", "Bad"),
            "neg_thing": ("advice", "title", "content", "editing", "take", "{noun}", "audio", "video"),
            "neg_tail": ("expected better", "waste of time", "hard pass", "not for me", "do better",
                         "so disappointed", "what a mess"),
            "reply": ("Same", "Agreed", "This!", "Fr", "Exactly", "Right?", "lol", "Yes!", "100%",
                      "So true", "Haha same", "Literally me"),
            "reply_neg": ("No way", "Nah", "Disagree", "Not true", "Wrong"),
        },
    },
    "es": {
        "templates": {
            POSITIVE: ("¡Me encanta este {noun}!", "Qué {adj} {excl}", "Muy buen contenido, gracias",
                       "Increíble como siempre", "Lo mejor que he visto hoy", "Gracias por compartir, me sirvió mucho",
                       "Eres {best}", "Qué buena idea", "Me salvaste el día", "Sigue así, me encanta",
                       "Qué {noun} tan {adj}", "Me encantó el final", "Justo lo que necesitaba, gracias"),
            NEUTRAL: ("¿Dónde compraste {item}?", "¿Parte 2?", "¿Qué {gear} usas?", "¿Funciona para principiantes?",
                      "Jajaja yo igual", "Jajaja {mention} eres tú", "¿Alguien más viendo esto en {month}?",
                      "Guardado para después", "¿Cuánto tiempo te llevó?", "Necesito la parte 2 ya",
                      "{mention} mira esto"),
            NEGATIVE: ("Qué horrible", "No me gustó nada", "Muy aburrido, la verdad", "Esto no funciona",
                       "Qué decepción", "Pésimo audio, no se escucha nada", "No estoy de acuerdo para nada",
                       "Puro clickbait, qué pérdida de tiempo", "Esto es lo peor"),
        },
        "slots": {
            "adj": ("bonito", "increíble", "lindo", "bueno", "genial", "hermoso", "útil"),
            "best": ("lo máximo", "la mejor", "el mejor", "un crack"),
            "item": ("esa camiseta", "el micrófono", "las luces", "eso"),
            "gear": ("cámara", "micrófono", "app", "lente"),
            "reply": ("Jajaja sí", "Yo también", "Tal cual, jajaja", "Exacto, así es", "Sí, totalmente"),
            "reply_neg": ("No es para tanto", "Para nada"),
        },
    },
    "pt": {
        "templates": {
            POSITIVE: ("Amei demais", "Que {noun} incrível", "Muito bom, obrigado por compartilhar", "Você é demais",
                       "Conteúdo de qualidade como sempre", "Perfeito, amei", "Que lindo, amei", "Você arrasou",
                       "Melhor {noun} que vi hoje", "Muito útil, obrigada", "Sensacional, parabéns"),
            NEUTRAL: ("Salvei pra depois", "Cadê a parte 2, gente?", "Onde você comprou {item}?", "Kkkkk sou eu",
                      "Qual {gear} você usa?", "Funciona pra iniciantes?", "Kkkk {mention} é você",
                      "Alguém mais vendo isso em {month}?", "Quanto tempo demorou?"),
            NEGATIVE: ("Não gostei", "Muito chato", "Isso não funciona", "Que decepção", "Péssimo áudio, não dá pra ouvir",
                       "Não concordo com nada disso", "Perda de tempo, não gostei", "Horrível, sério"),
        },
        "slots": {
            "item": ("essa camiseta", "o microfone", "essas luzes", "isso"),
            "gear": ("câmera", "microfone", "app", "lente"),
            "reply": ("Kkkkk verdade", "Eu também", "Né, demais", "Isso mesmo"),
            "reply_neg": ("Não é bem assim", "Não é nada disso"),
        },
    },
    "de": {
        "templates": {
            POSITIVE: ("Richtig gut gemacht{excl}", "Das ist so schön", "Danke für das {noun}", "Mega hilfreich, danke{excl}",
                       "Bestes {noun} heute", "Wie immer super, danke", "Einfach genial", "Ich liebe es",
                       "Sehr schön gemacht", "Das hat mir echt geholfen, danke"),
            NEUTRAL: ("Wo hast du {item} her?", "Teil 2 bitte{excl}", "Welche {gear} benutzt du?",
                      "Geht das auch für Anfänger?", "Haha {mention} das bist du", "Wer schaut das noch im {month}?",
                      "Für später gespeichert", "Wie lange hat das gedauert?"),
            NEGATIVE: ("Das hat bei mir nicht funktioniert", "Total langweilig", "Schlechter Ton, man hört nichts",
                       "Sehe ich ganz anders", "Schade, das war nichts", "Echt enttäuschend", "Das ist leider falsch",
                       "Das ist reine Zeitverschwendung"),
        },
        "slots": {
            "item": ("das Shirt", "das Mikro", "die Lampe", "das"),
            "gear": ("Kamera", "App", "Linse"),
            "reply": ("Haha ja", "Ich auch", "Genau so ist es", "Stimmt"),
            "reply_neg": ("Sehe ich nicht so", "Nein, gar nicht"),
        },
    },
    "fr": {
        "templates": {
            POSITIVE: ("J'adore", "Trop bien ce {noun}", "Merci pour le partage", "C'est génial", "Magnifique, bravo",
                       "Toujours au top, merci", "C'est exactement ce qu'il me fallait", "T'es trop fort",
                       "Le meilleur {noun} du jour", "Très beau travail"),
            NEUTRAL: ("Tu utilises quelle {gear} ?", "La partie 2 svp", "Mdr c'est moi", "Mdr {mention} c'est toi",
                      "Tu as trouvé ça où ?", "Ça marche pour les débutants ?", "Qui regarde ça en {month} ?",
                      "Enregistré pour plus tard", "Ça t'a pris combien de temps ?"),
            NEGATIVE: ("Pas terrible", "Trop nul", "Ça ne marche pas chez moi", "Je ne suis pas d'accord",
                       "Le son est horrible, on n'entend rien", "Quelle déception", "C'est n'importe quoi",
                       "Perte de temps, dommage"),
        },
        "slots": {
            "gear": ("caméra", "appli", "lumière"),
            "reply": ("Mdr c'est vrai", "Moi aussi", "Trop vrai", "Exactement, c'est ça"),
            "reply_neg": ("Pas du tout", "C'est faux"),
        },
    },
    "it": {
        "templates": {
            POSITIVE: ("Bellissimo {noun}, grazie", "Che bello{excl}", "Bravissima, come sempre", "Molto utile, grazie mille",
                       "Sei il migliore", "Questo è fantastico", "Troppo bello{excl}", "Che spettacolo, grazie",
                       "Il migliore {noun} di oggi"),
            NEUTRAL: ("Dove hai comprato {item}?", "Parte 2 per favore, grazie!", "Che {gear} usi?",
                      "Ahahah {mention} sei tu", "Salvato per dopo", "Quanto tempo ci hai messo?",
                      "Funziona anche per chi è alle prime armi?", "Chi lo guarda a {month}?"),
            NEGATIVE: ("Che noia", "Non mi è piaciuto per niente", "Questo non funziona", "Che delusione",
                       "Audio pessimo, non si sente niente", "Non sono d'accordo", "Tempo perso, che peccato"),
        },
        "slots": {
            "item": ("quella maglietta", "il microfono", "quelle luci", "questo"),
            "gear": ("fotocamera", "app", "luce"),
            "reply": ("Ahahah sì", "Anche io", "Esatto, è così", "Verissimo, grazie"),
            "reply_neg": ("Non sono d'accordo", "Per niente"),
        },
    },
    "ko": {
        "templates": {
            POSITIVE: ("대박", "너무 좋아요", "최고예요", "감사합니다!", "정말 유용해요", "완전 예뻐요", "항상 응원해요"),
            NEUTRAL: ("파트 2 부탁해요!", "어디서 샀어요?", "카메라 뭐 써요?", "저장했어요", "초보자도 할 수 있나요?"),
            NEGATIVE: ("별로예요", "지루해요", "소리가 너무 안 좋아요", "시간 낭비예요", "실망이에요"),
        },
        "slots": {"reply": ("맞아요", "저도요"), "reply_neg": ("아닌 것 같아요",)},
    },
    "ja": {
        "templates": {
            POSITIVE: ("すごい！", "最高です", "めっちゃ参考になりました", "かわいい", "これ好き", "天才すぎる",
                       "ありがとうございます！", "神動画すぎる", "癒されました", "いつも楽しみにしてます"),
            NEUTRAL: ("パート2お願いします！", "どこで買えますか？", "カメラは何を使ってますか？", "わかる",
                      "初心者でもできますか？", "保存しました", "何時間かかりましたか？"),
            NEGATIVE: ("つまらない", "音が悪くて聞こえない", "微妙かな…", "がっかりです", "意味がわからない",
                       "これはちょっと違うと思う"),
        },
        "slots": {"reply": ("それな", "わかる", "ほんとそれ"), "reply_neg": ("違うと思う",)},
    },
    "ar": {
        "templates": {
            POSITIVE: ("رائع جدا", "ما شاء الله", "شكرا على الفيديو", "مرحبا! رائع جدا", "إبداع كالعادة",
                       "أحببت هذا كثيرا", "مفيد جدا، شكرا"),
            NEUTRAL: ("أين اشتريت هذا؟", "الجزء الثاني من فضلك", "ما نوع الكاميرا؟", "هل يناسب المبتدئين؟",
                      "حفظته لوقت لاحق"),
            NEGATIVE: ("ممل جدا", "لم يعجبني", "الصوت سيء جدا", "مضيعة للوقت", "غير مفيد للأسف"),
        },
        "slots": {"reply": ("صحيح", "أنا أيضا"), "reply_neg": ("غير صحيح",)},
    },
    "hi": {
        "templates": {
            POSITIVE: ("बहुत बढ़िया", "शानदार वीडियो", "धन्यवाद भाई", "कमाल कर दिया", "बहुत अच्छा लगा",
                       "बहुत काम का वीडियो"),
            NEUTRAL: ("पार्ट 2 कब आएगा?", "कहाँ से खरीदा?", "कौन सा कैमरा है?", "बाद के लिए सेव किया"),
            NEGATIVE: ("बेकार", "मज़ा नहीं आया", "आवाज़ बहुत खराब है", "समय की बर्बादी"),
        },
        "slots": {"reply": ("सही बात", "मैं भी"), "reply_neg": ("गलत बात",)},
    },
}

# The creator's replies: by what the fan wrote (a question, criticism, anything else), per language.
CREATOR: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "thanks": ("Thank you so much! 🙏", "Thanks {Name}!", "Glad it helped!", "Appreciate you!",
                   "Thank you for watching ❤️", "You're the best, thanks!", "Means a lot, thank you",
                   "Thanks for being here since day one", "Haha thank you!", "So glad you liked it{excl}"),
        "answer": ("Good question! {answer}", "{answer}", "{answer} 🙂", "Yes! {answer}"),
        "part2": ("Part 2 coming {weekday}!", "Part 2 is up on my profile", "Already filming part 2 👀",
                  "Part 2 drops {weekday}, stay tuned"),
        "criticism": ("Fair point, I'll fix the {detail} next time", "Sorry about the audio, fixed in the next one",
                      "Thanks for the honest feedback", "Agree to disagree 🙂", "Noted, I'll do better next time",
                      "Fair, this one wasn't my best"),
    },
    "es": {"thanks": ("¡Muchas gracias! 🙏", "Gracias por verlo ❤️", "¡Gracias, {Name}!", "Me alegra que te sirva",
                      "¡Qué bueno que te gustó!", "Gracias por estar siempre ahí"),
           "answer": ("¡Buena pregunta! El link está en mi perfil", "Sí, funciona para principiantes"),
           "part2": ("¡La parte 2 sale el {weekday}!",),
           "criticism": ("Gracias por la sinceridad, lo mejoro en el próximo", "Tienes razón, lo cambio la próxima vez",
                         "Gracias por el comentario, lo tendré en cuenta")},
    "pt": {"thanks": ("Obrigado! ❤️", "Muito obrigada pelo carinho", "Valeu demais, {Name}!",
                      "Que bom que você gostou!"),
           "answer": ("Boa pergunta! O link está na bio", "Sim, funciona pra iniciantes"),
           "part2": ("A parte 2 já vai sair na {weekday}!",),
           "criticism": ("Obrigado pelo feedback, vou melhorar", "Você tem razão, no próximo eu melhoro")},
    "de": {"thanks": ("Danke dir! 🙏", "Vielen Dank, {Name}!", "Freut mich, dass es geholfen hat",
                      "Danke, dass du immer dabei bist ❤️"),
           "answer": ("Gute Frage! Der Link ist in der Bio", "Ja, das geht auch für Anfänger"),
           "part2": ("Teil 2 kommt am {weekday}!",),
           "criticism": ("Danke für das ehrliche Feedback, wird beim nächsten Mal besser",
                         "Stimmt, das mache ich beim nächsten Video anders")},
    "fr": {"thanks": ("Merci beaucoup ! 🙏", "Merci {Name} !", "Trop contente que ça t'aide", "Merci d'être là ❤️",
                      "Ça me fait trop plaisir, merci", "Merci pour ton message !"),
           "answer": ("Bonne question ! Le lien est dans ma bio", "Oui, ça marche pour les débutants",
                      "Tout est dans la description", "Environ trois heures, mais ça vaut le coup"),
           "part2": ("La partie 2 arrive {weekday} !",),
           "criticism": ("Merci pour le retour, je vais faire mieux", "C'est noté, merci pour la franchise",
                         "Tu as raison, je corrige ça dans la prochaine", "Je comprends, merci de l'avoir dit")},
    "ja": {"thanks": ("ありがとうございます！", "嬉しいです！ありがとう🙏", "見てくれてありがとう！"),
           "answer": ("リンクはプロフィールにあります！", "初心者でも大丈夫です！"),
           "part2": ("パート2は{weekday}に出します！",),
           "criticism": ("ご意見ありがとうございます、次は改善します",)},
    "it": {"thanks": ("Grazie mille! 🙏", "Grazie {Name}!", "Sono contenta che ti sia utile", "Grazie di cuore ❤️"),
           "answer": ("Bella domanda! Il link è nella bio", "Sì, funziona anche per chi inizia"),
           "part2": ("La parte 2 esce {weekday}!",),
           "criticism": ("Grazie del feedback, la prossima volta farò meglio",)},
    "ko": {"thanks": ("감사합니다! 🙏", "봐주셔서 감사해요", "고마워요 ❤️"), "answer": ("링크는 프로필에 있어요",),
           "part2": ("파트 2 곧 올릴게요!",), "criticism": ("의견 감사합니다, 다음엔 더 잘할게요",)},
    "ar": {"thanks": ("شكرا جزيلا ❤️", "شكرا لك 🙏"), "answer": ("الرابط في البايو",),
           "part2": ("الجزء الثاني قريبا!",), "criticism": ("شكرا على الملاحظة",)},
    "hi": {"thanks": ("बहुत धन्यवाद! 🙏", "शुक्रिया ❤️"), "answer": ("लिंक बायो में है",),
           "part2": ("पार्ट 2 जल्दी आएगा!",), "criticism": ("सुझाव के लिए धन्यवाद",)},
}
CREATOR_SLOTS: dict[str, tuple[str, ...]] = {
    "answer": ("Link in bio", "It's linked in the description", "About {hours} hours start to finish",
               "Works great for beginners too", "Full list is in my bio", "Yes, any {gear} works",
               "I'll do a full video on it soon", "It was a gift, but the link is in my bio",
               "Check the pinned comment"),
    "hours": ("two", "three", "six", "ten", "a couple of"),
}
WEEKDAYS_BY_LANGUAGE = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "pt": ("segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "it": ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"),
    "ja": ("月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日", "日曜日"),
}
MONTHS_BY_LANGUAGE = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
           "outubro", "novembro", "dezembro"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
           "ottobre", "novembre", "dicembre"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
}

# What a post is about, by niche: nouns English comments use ("this recipe").
NICHE_NOUNS: dict[str, tuple[str, ...]] = {
    "cooking": ("recipe", "dish", "sauce", "bread", "plating", "meal prep"),
    "food": ("recipe", "dish", "sauce", "bread", "plating", "meal prep"),
    "fitness": ("workout", "routine", "form", "split", "warmup", "stretch"),
    "tech": ("setup", "build", "review", "gadget", "keyboard", "desk setup"),
    "travel": ("trip", "view", "itinerary", "hotel", "beach", "road trip"),
    "beauty": ("look", "palette", "skincare routine", "makeup", "haircut", "nail art"),
    "fashion": ("outfit", "fit", "jacket", "look", "thrift haul"),
    "gaming": ("run", "build", "clutch", "speedrun", "setup", "play"),
    "data": ("pipeline", "dashboard", "query", "tutorial", "diagram", "thread"),
    "b2b": ("framework", "post", "breakdown", "case study", "thread"),
    "music": ("track", "cover", "beat", "song", "riff", "mix"),
    "comedy": ("skit", "bit", "ending", "impression"),
    "pets": ("dog", "cat", "puppy", "pup"),
    "diy": ("build", "project", "shelf", "makeover"),
    "art": ("painting", "sketch", "drawing", "piece"),
}
KIND_NOUNS: dict[str, tuple[str, ...]] = {
    "video": ("video", "clip", "edit"),
    "image": ("photo", "pic", "shot"),
    "carousel": ("carousel", "post", "photo dump"),
    "text": ("post", "thread", "take"),
}
# Words a caption uses when it invites argument (strong), or some disagreement (mild).
CONTROVERSIAL_CUES = ("hot take", "unpopular opinion", "controversial", "rant", "overrated")
DEBATABLE_CUES = ("honest review", " vs ", "myth", "mistake", "stop doing", "the truth about", "viral hack")

# An account's commenters' languages other than English, with relative weights.
OTHER_LANGUAGES = ("es", "pt", "de", "fr", "it", "ja", "ko", "ar", "hi")
OTHER_WEIGHTS = (6, 5, 3, 3, 2, 3, 1, 2, 2)
# The share of comments in the audience's own languages; the rest are written in English.
AUDIENCE_WEIGHT = 0.6

_SLOT = re.compile(r"\{(\w+)\}")


def _unit(*parts: object) -> float:
    """A uniform number in [0, 1) from stable inputs (Python's ``hash`` is salted per process)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _niche(post: object) -> str | None:
    for owner in (post, getattr(post, "account", None)):
        for name in ("niche", "topic"):
            value = getattr(owner, name, None)
            if isinstance(value, str) and value:
                return value.casefold()
    return None


def topic_nouns(post: object) -> tuple[str, ...]:
    """English nouns for what ``post`` is about: its niche's when known, else its format's."""
    niche = _niche(post)
    if niche in NICHE_NOUNS:
        return NICHE_NOUNS[niche]
    if niche:
        for key, nouns in NICHE_NOUNS.items():
            if key in niche or niche in key:
                return nouns
    return KIND_NOUNS.get(getattr(post, "kind", "video"), KIND_NOUNS["video"])


@lru_cache(maxsize=8192)
def controversy(post: object) -> float:
    """How much ``post`` splits its audience, in [0, 1]: a pure function of the post."""
    account = post.account
    u = _unit(account.platform, account.handle, post.seq, "controversy")
    if u < 0.80:
        value = 0.05 + 0.25 * (u / 0.80)  # liked
    elif u < 0.95:
        value = 0.3 + 0.3 * ((u - 0.80) / 0.15)  # splits the audience
    else:
        value = 0.7 + 0.3 * ((u - 0.95) / 0.05)  # a pile-on
    caption = f" {getattr(post, 'caption', '')} ".casefold()
    if any(cue in caption for cue in CONTROVERSIAL_CUES):
        value = max(value, 0.5) + 0.15
    elif any(cue in caption for cue in DEBATABLE_CUES):
        value += 0.15
    value = min(1.0, value)
    return round(value, 4)


def tone_weights(post: object) -> tuple[float, float, float]:
    """(positive, neutral, negative) probabilities of a fan comment on ``post``."""
    c = controversy(post)
    negative = 0.04 + 0.6 * c
    neutral = 0.33
    return (1.0 - neutral - negative, neutral, negative)


def _own_mix(platform: str, handle: str) -> dict[str, float]:
    """A language mix of the account's own, for a world without an audience model."""
    r = random.Random(int(_unit(platform, handle, "comment-languages") * 2**53))
    english = r.uniform(0.55, 0.9)
    others = []
    pool, weights = list(OTHER_LANGUAGES), list(OTHER_WEIGHTS)
    for _ in range(r.randint(1, 3)):
        pick = r.choices(range(len(pool)), weights=weights)[0]
        others.append(pool.pop(pick))
        weights.pop(pick)
    shares = [r.uniform(1, 4) for _ in others]
    return {"en": english, **{lang: (1 - english) * s / sum(shares) for lang, s in zip(others, shares)}}


def _audience_mix(platform: str, handle: str, day: object) -> dict[str, float] | None:
    """The audience's languages on ``day`` from :mod:`.audience`, when the world has one."""
    try:
        from social_pipeline.simulator import audience
        languages = audience.demographics(platform, handle, day).get("top_languages")
    except (ImportError, AttributeError, TypeError, ValueError):
        return None
    if not isinstance(languages, dict) or not languages:
        return None
    return {str(k): float(v) for k, v in languages.items() if float(v) > 0}


@lru_cache(maxsize=16384)
def commenter_languages(platform: str, handle: str, day: object = None) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The languages an account's commenters write in around ``day``, with cumulative weights.

    Comments follow the audience: the audience's languages (:mod:`.audience`, when present) that
    this grammar writes keep their share, scaled by ``AUDIENCE_WEIGHT``; the rest of the comments
    are in English, the usual common language of comment sections (and the language a viewer whose
    own language the grammar lacks, Korean or Turkish, falls back to here).
    """
    mix = _audience_mix(platform, handle, day) if day is not None else None
    if mix is None:
        mix = _own_mix(platform, handle)
    else:
        total = sum(mix.values()) or 1.0
        mix = {lang: AUDIENCE_WEIGHT * share / total for lang, share in mix.items() if lang in GRAMMAR}
        mix["en"] = 1.0 - sum(v for lang, v in mix.items() if lang != "en")
    languages = tuple(sorted(mix, key=lambda lang: (-mix[lang], lang)))
    cumulative, running = [], 0.0
    for lang in languages:
        running += mix[lang]
        cumulative.append(running)
    return languages, tuple(c / running for c in cumulative)


@lru_cache(maxsize=None)
def _pieces(template: str) -> tuple[str, ...]:
    """``template`` split into text and slot names, alternating: text, slot, text, ..."""
    return tuple(_SLOT.split(template))


@lru_cache(maxsize=None)
def _choices(name: str, language: str) -> tuple[str, ...]:
    slots = GRAMMAR.get(language, {}).get("slots", {})
    choices = slots.get(name) or GRAMMAR["en"]["slots"].get(name) or SHARED_SLOTS.get(name) \
        or CREATOR_SLOTS.get(name)
    if not choices:
        raise KeyError(f"no slot {name!r} for {language}")
    return choices


def _fill(r: random.Random, template: str, language: str, extra: dict[str, tuple[str, ...]]) -> str:
    """``template`` with each slot replaced by one of its fillers (filled in turn)."""
    pieces = _pieces(template)
    if len(pieces) == 1:
        return template
    out = []
    for i, piece in enumerate(pieces):
        if i % 2:
            out.append(_fill(r, r.choice(extra.get(piece) or _choices(piece, language)), language, extra))
        else:
            out.append(piece)
    return "".join(out)


def _typo(r: random.Random, text: str) -> str:
    """One slip of the thumb in one longer word: two letters swapped, one dropped or doubled."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return text
    i = r.choice(long)
    w = words[i]
    j = r.randint(1, len(w) - 2)
    kind = r.randrange(3)
    if kind == 0:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    elif kind == 1:
        w = w[:j] + w[j + 1:]
    else:
        w = w[:j] + w[j] + w[j:]
    words[i] = w
    return " ".join(words)


def _emoji_run(r: random.Random, tone: str) -> str:
    slot = {POSITIVE: "pos_emoji", NEUTRAL: "neu_emoji", NEGATIVE: "neg_emoji"}[tone]
    first = r.choice(SHARED_SLOTS[slot])
    if r.random() < 0.5:
        return first * r.randint(1, 4)
    return first + "".join(r.choice(SHARED_SLOTS[slot]) for _ in range(r.randint(1, 3)))


@dataclass(frozen=True)
class Written:
    """A comment as the grammar wrote it: its text, language (None for emoji only) and tone."""

    text: str
    language: str | None
    tone: str


@lru_cache(maxsize=16384)
def _extra_slots(post: object, language: str) -> dict[str, tuple[str, ...]]:
    """The slots that come from the post (its topic, tags, month); read-only, shared by calls."""
    posted = getattr(post, "posted_at", None)
    month = posted.month - 1 if posted is not None else 0
    tags = tuple(f"#{t}" for t in getattr(post, "hashtags", ()) or ()) or ("this kind of",)
    extra: dict[str, tuple[str, ...]] = {"tag": tags}
    if language == "en":
        extra["noun"] = topic_nouns(post)
    else:
        extra["noun"] = {"es": ("video",), "pt": ("vídeo",), "de": ("Video",), "fr": ("contenu",),
                         "it": ("video",)}.get(
            language, ("video",))
    months = MONTHS_BY_LANGUAGE.get(language, MONTHS_BY_LANGUAGE["en"])
    extra["month"] = (months[month],)
    if language in WEEKDAYS_BY_LANGUAGE:
        extra["weekday"] = WEEKDAYS_BY_LANGUAGE[language]
    return extra


def _dress(r: random.Random, text: str, language: str, tone: str) -> str:
    """Casual variation: lower case, a typo, a stretched word, an emoji tail."""
    latin = language in ("en", "es", "pt", "de", "fr", "it")
    if language == "en" and r.random() < 0.08:
        text = _typo(r, text)
    if language == "en" and r.random() < 0.1:
        text = re.sub(r"\bso\b", r.choice(("soo", "sooo", "soooo")), text, count=1)
    if latin and r.random() < 0.3:
        text = text.lower()
    if r.random() < 0.3:
        text = f"{text} {_emoji_run(r, tone)}"
    return text


@lru_cache(maxsize=8192)
def _context(post: object) -> tuple[float, float, tuple[str, ...], tuple[float, ...]]:
    """What every comment on ``post`` shares: tone probabilities and the commenters' languages
    (the audience of the post's month)."""
    positive, neutral, _ = tone_weights(post)
    posted = getattr(post, "posted_at", None)
    month = posted.date().replace(day=1) if posted is not None else None
    return (positive, neutral, *commenter_languages(post.account.platform, post.account.handle, month))


def write(r: random.Random, post: object, *, reply_to: str | None = None,
          by_creator: bool = False) -> Written:
    """One comment on ``post``, drawing only from ``r``.

    ``reply_to`` is the text of the comment this one answers (``None`` for a top-level comment);
    ``by_creator`` makes it the creator's answer to that comment.
    """
    parent_language = language_of(reply_to) if reply_to else None
    if by_creator:
        return _creator_reply(r, post, reply_to or "", parent_language)

    positive, neutral, languages, cumulative = _context(post)
    u = r.random()
    tone = POSITIVE if u < positive else NEUTRAL if u < positive + neutral else NEGATIVE
    if r.random() < 0.05:
        return Written(_emoji_run(r, tone), None, tone)

    if parent_language is not None and r.random() < 0.7:
        language = parent_language  # a thread tends to stay in its language
    else:
        language = languages[min(bisect.bisect_right(cumulative, r.random()), len(languages) - 1)]
    grammar = GRAMMAR[language]
    extra = _extra_slots(post, language)
    if reply_to is not None and r.random() < 0.35:
        slot = "reply_neg" if tone == NEGATIVE else "reply"
        text = _fill(r, r.choice(grammar["slots"][slot]), language, extra)
        if tone != NEGATIVE and r.random() < 0.5:
            text = f"{text} {_emoji_run(r, NEUTRAL if tone == NEUTRAL else POSITIVE)}"
        return Written(text, language, tone)
    text = _fill(r, r.choice(grammar["templates"][tone]), language, extra)
    return Written(_dress(r, text, language, tone), language, tone)


def _creator_reply(r: random.Random, post: object, parent: str, parent_language: str | None) -> Written:
    language = parent_language if parent_language in CREATOR else "en"
    replies = CREATOR[language]
    if tone_of(parent) == NEGATIVE:
        kind = "criticism"
    elif parent.rstrip(" !?.👀🤔😅").endswith(("?", "？", "؟")) or "?" in parent or "？" in parent:
        kind = r.choice(("answer", "answer", "part2")) if "part" in parent.casefold() or "parte" in parent.casefold() \
            or "teil" in parent.casefold() or "パート" in parent else "answer"
    else:
        kind = r.choices(("thanks", "part2"), weights=(5, 1))[0]
    extra = _extra_slots(post, language)
    text = _fill(r, r.choice(replies[kind]), language, extra)
    if language == "en" and r.random() < 0.2:
        text = text.lower()
    return Written(text, language, POSITIVE if kind == "thanks" else NEUTRAL)


def text(r: random.Random, post: object, *, reply_to: str | None = None, by_creator: bool = False) -> str:
    """The text of one comment on ``post``, drawn from ``r`` (see :func:`write`)."""
    return write(r, post, reply_to=reply_to, by_creator=by_creator).text


# --------------------------------------------------------------------------------------------
# Reading back: which language and tone this grammar wrote a text in.
# --------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_]+")
_MENTION = re.compile(r"(?<!\w)[@#][\w.]+")


def _static_texts(language: str) -> dict[str, list[str]]:
    """Every fixed string of ``language``'s grammar, by tone (slot fillers count as neutral)."""
    grammar = GRAMMAR[language]
    by_tone: dict[str, list[str]] = {tone: list(grammar["templates"][tone]) for tone in TONES}
    for name, fillers in grammar["slots"].items():
        tone = NEGATIVE if name.startswith("neg") or name == "reply_neg" else NEUTRAL
        by_tone[tone].extend(fillers)
    for kind, replies in CREATOR.get(language, {}).items():
        by_tone[NEGATIVE if kind == "criticism" else NEUTRAL].extend(replies)
    if language == "en":
        by_tone[NEUTRAL].extend(CREATOR_SLOTS["answer"])
    by_tone[NEUTRAL].extend(MONTHS_BY_LANGUAGE.get(language, ()))
    by_tone[NEUTRAL].extend(WEEKDAYS_BY_LANGUAGE.get(language, ()))
    return by_tone


def _tokens(text: str) -> set[str]:
    return {t for t in _TOKEN.findall(_SLOT.sub(" ", text).casefold()) if len(t) > 1}


def _build_index() -> tuple[dict[str, set[str]], dict[str, frozenset[str]]]:
    owners: dict[str, set[str]] = {}
    negative: dict[str, set[str]] = {}
    other_tones: dict[str, set[str]] = {}
    for language in GRAMMAR:
        for tone, texts in _static_texts(language).items():
            for t in texts:
                for token in _tokens(t):
                    owners.setdefault(token, set()).add(language)
                    (negative if tone == NEGATIVE else other_tones).setdefault(language, set()).add(token)
    negative_only = {language: frozenset(negative.get(language, set()) - other_tones.get(language, set()))
                     for language in GRAMMAR}
    return owners, negative_only


_OWNER, _NEGATIVE_TOKENS = _build_index()
_SCRIPTS = (("ja", re.compile("[\u3040-\u30ff\u4e00-\u9fff]")), ("ko", re.compile("[\uac00-\ud7af]")),
            ("ar", re.compile("[\u0600-\u06ff]")), ("hi", re.compile("[\u0900-\u097f]")))


@lru_cache(maxsize=65536)
def language_of(text: str) -> str | None:
    """The language this grammar wrote ``text`` in, or None (emoji only, or no word it owns)."""
    for language, script in _SCRIPTS:
        if script.search(text):
            return language
    # A word only one language's grammar uses is a vote; a word several use is a fraction of one.
    votes: dict[str, float] = {"es": 1.0} if ("¿" in text or "¡" in text) else {}
    for token in _tokens(_MENTION.sub(" ", text)):
        owners = _OWNER.get(token, ())
        for language in owners:
            votes[language] = votes.get(language, 0) + (1.0 if len(owners) == 1 else 0.4 / len(owners))
    if not votes:
        return "en" if _TOKEN.search(_MENTION.sub(" ", text)) else None
    return max(sorted(votes), key=votes.__getitem__)


@lru_cache(maxsize=65536)
def tone_of(text: str) -> str:
    """NEGATIVE when ``text`` uses a word only this grammar's criticism uses, else NEUTRAL."""
    language = language_of(text) or "en"
    negative = _NEGATIVE_TOKENS.get(language, frozenset())
    if language in ("ja", "ko", "ar", "hi"):
        return NEGATIVE if any(t in text for t in GRAMMAR[language]["templates"][NEGATIVE]) else NEUTRAL
    return NEGATIVE if _tokens(text) & negative else NEUTRAL
